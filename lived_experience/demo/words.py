"""Fictional names, places and words for the demo data.

Phone numbers come from Ofcom's drama range (07700 900000-900999) and email
addresses from example.org, so nothing here can reach a real person.
"""

FIRST_NAMES = [
    "Zoë", "Siobhán", "Łukasz", "Aoife", "Oluwaseun", "Priya", "Mohammed", "Wei", "Amara", "Declan",
    "Fatima", "Gurpreet", "Hannah", "Imran", "Jasmine", "Kwame", "Leah", "Mateusz", "Nadia", "Owen",
    "Parveen", "Rhys", "Sana", "Tomasz", "Uchenna", "Vikram", "Yasmin", "Zainab", "Bethany", "Callum",
    "Daniela", "Eilidh", "Florin", "Grace", "Harpreet", "Isla", "Jamal", "Kiran", "Liam", "Mei",
    "Niamh", "Ola", "Rosa", "Samir", "Tanisha", "Ayesha", "Bogdan", "Chloe", "Dev", "Efua",
    "Hamza", "Irena", "Jack", "Khadija", "Marek", "Noor", "Patrick", "Rukhsana", "Shanice", "Tariq",
]

LAST_NAMES = [
    "Abara", "Begum", "Chaudhry", "Dąbrowski", "Evans", "Fernández", "Gill", "Hughes", "Islam", "Jankowska",
    "Kaur", "Lewandowski", "Mistry", "Nowak", "O'Brien", "Patel", "Quinn", "Rahman", "Singh", "Thompson",
    "Ugwu", "Varga", "Walsh", "Xu", "Yilmaz", "Zielińska", "Adeyemi", "Bhatt", "Campbell", "Doyle",
    "Edwards", "Farah", "Ghosh", "Hussain", "Ionescu", "Jones", "Khan", "Lodhia", "Mensah", "Nair",
    "Okonkwo", "Popescu", "Rao", "Sharma", "Taylor", "Ward", "Ahmed", "Brennan", "Clarke", "Dhillon",
]

PRONOUNS = ["she/her", "he/him", "they/them", None, None, None]

# Postcode districts inside LLR, weighted towards the city; a few straddlers and outsiders.
DISTRICTS = (
    ["LE1", "LE2", "LE3", "LE4", "LE5"] * 6
    + ["LE7", "LE8", "LE9", "LE10", "LE11", "LE13", "LE18", "LE19", "LE65", "LE67"] * 2
    + ["LE12", "LE15", "LE16", "LE17", "NG13", "PE9", "DE74"]
    + ["NG1", "CV1", "B1"]
)
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREETS = [
    "Granby Street", "Belgrave Road", "Narborough Road", "London Road", "Humberstone Gate", "Melton Road",
    "Fosse Road North", "Braunstone Lane", "Church Street", "Station Road", "High Street", "Mill Lane",
    "Victoria Park Road", "Uppingham Road", "Welford Road", "Ashby Road", "Forest Road", "Market Place",
]
TOWNS_BY_DISTRICT = {
    "LE1": "Leicester", "LE2": "Leicester", "LE3": "Leicester", "LE4": "Leicester", "LE5": "Leicester",
    "LE7": "Syston", "LE8": "Blaby", "LE9": "Earl Shilton", "LE10": "Hinckley", "LE11": "Loughborough",
    "LE12": "Shepshed", "LE13": "Melton Mowbray", "LE15": "Oakham", "LE16": "Market Harborough",
    "LE17": "Lutterworth", "LE18": "Wigston", "LE19": "Enderby", "LE65": "Ashby-de-la-Zouch",
    "LE67": "Coalville", "NG13": "Bottesford", "PE9": "Ketton", "DE74": "Kegworth", "NG1": "Nottingham",
    "CV1": "Coventry", "B1": "Birmingham",
}

STATEMENTS = [
    "After reporting a burglary I waited weeks for an update. I want to help make sure others are kept informed.",
    "I support survivors of domestic abuse in my job and see where services join up and where they do not.",
    "I was a witness to a serious road traffic collision caused by a drink driver and found the court process confusing.",
    "As a survivor of sexual violence I know how much the first conversation matters.",
    "I was targeted because of my faith. I want victims of hate crime to feel they will be believed.",
    "I lost savings to a fraud and felt there was nowhere to turn. I would like to help improve support.",
    "I volunteer with a community group that supports women at risk of honour-based abuse.",
    "My family went through the criminal justice system after my brother was assaulted.",
]

AVAILABILITY = ["Weekday evenings", "Weekday daytime", "Saturdays", "Any time with notice", "School hours only"]

ACCESS_NEEDS = [
    "Step-free access, I use a wheelchair",
    "Papers in large print (16 pt)",
    "A quiet room to take a break",
    "Hearing loop",
    "Papers a week in advance, please",
]

INTERPRETER_LANGUAGES = ["Gujarati", "Punjabi", "Polish", "Somali", "Urdu", "Arabic"]

VENUES = [
    ("Riverside Community Centre (fictional)", "12 Canal Walk, Leicester", "LE1 5ZZ", True, True, True,
     "Two accessible spaces at the front", "Five minutes' walk from Haymarket bus station"),
    ("The Fernlea Rooms (fictional)", "3 Orchard Street, Loughborough", "LE11 9ZZ", True, False, True,
     "Pay and display opposite", "Loughborough station 10 minutes' walk"),
    ("Oakham Library meeting room (fictional)", "Catmose Lane, Oakham", "LE15 9ZZ", True, True, False,
     "Free car park behind the library", "Bus 9 stops outside"),
    ("OPCC boardroom (fictional address)", "1 Example Way, Enderby", "LE19 9ZZ", True, True, True,
     "Visitor parking by arrangement", "Bus 50 to the business park"),
]

ORGANISATIONS = [
    ("Brightwater Advocacy CIC (fictional)", "commissioned_provider"),
    ("Meridian Health Partnership (fictional)", "commissioned_provider"),
    ("Fernlea Counselling Trust (fictional)", "commissioned_provider"),
    ("Northgate Women's Network (fictional)", "voluntary"),
    ("Harbour Community Hub (fictional)", "voluntary"),
    ("City Community Safety Team (fictional)", "statutory"),
    ("Leicestershire Police Victim Services (fictional contact)", "force"),
    ("Rutland Victim Support Forum (fictional)", "voluntary"),
]

CONTACT_ROLES = ["Service manager", "Operations lead", "Volunteer coordinator", "Inspector", "Chief executive"]

SERVICES = [
    # name, kind, provider index, annual value (pounds), contract years, status
    ("Adult Independent Sexual Violence Advocate (ISVA) service", "isva", 0, 420_000, 3, "active"),
    ("Children's ISVA (CHISVA) service", "chisva", 0, 180_000, 3, "active"),
    ("Adult Sexual Assault Referral Centre", "sarc", 1, 650_000, 5, "active"),
    ("SARC crisis worker pilot", "crisis_worker", 1, 95_000, 1, "pilot"),
    ("Counselling for survivors of sexual violence", "counselling", 2, 240_000, 3, "active"),
    ("Domestic abuse IDVA service", "idva", 0, 310_000, 3, "active"),
]

AGENDA_TEMPLATES = [
    ("Welcome, introductions and ground rules", None, 10),
    ("What we heard last time, and what happened next", None, 15),
    ("Experiences of the first contact after reporting", "This item discusses the time straight after a crime "
     "is reported, which some people may find distressing.", 30),
    ("Recommissioning the ISVA service: what matters most", "Discussion may touch on sexual violence.", 30),
    ("Keeping victims informed during investigations", None, 25),
    ("Support at court and the trial process", "Discussion of giving evidence at trial.", 25),
    ("Reaching communities we do not hear from", None, 20),
    ("Accessibility of services in Rutland and rural areas", None, 20),
    ("Comfort break", None, 10),
    ("Any other business and close", None, 10),
]

MEETING_PLAN = [
    # type, title, days from today, duration minutes, status
    ("forum", "Victims' voice forum: first contact and reporting", -300, 120, "held"),
    ("roundtable", "Roundtable with commissioned providers", -260, 150, "held"),
    ("consultation", "ISVA service recommissioning consultation", -220, 120, "held"),
    ("focus_group", "Focus group: court and trial experiences", -180, 90, "held"),
    ("meeting", "Group business meeting", -150, 90, "held"),
    ("forum", "Victims' voice forum: keeping informed", -120, 120, "held"),
    ("event", "Lived experience celebration event", -95, 240, "held"),
    ("consultation", "Counselling service needs assessment", -60, 120, "cancelled"),
    ("focus_group", "Focus group: reaching rural communities", -30, 90, "held"),
    ("roundtable", "Roundtable: crisis worker pilot review", 6, 120, "confirmed"),
    ("forum", "Victims' voice forum: refresh of the group", 11, 120, "planned"),
    ("meeting", "Group business meeting", 40, 90, "planned"),
]

FEEDBACK_LINES = [
    ("I was never told who my officer was or how to reach them.",
     "Victims are not told who their contact officer is", "Communication and updates", [6, 3]),
    ("Waiting four months for any update made me feel forgotten.",
     "Long gaps without updates during investigations", "Waiting times and delays", [6]),
    ("The ISVA was the only person who explained what would happen at court.",
     "ISVA support is valued most for explaining the court process", "Court and trial process", [8, 4]),
    ("Nobody asked if I needed an interpreter until the trial.",
     "Interpreters are offered too late", "Language and interpreters", [1]),
    ("Getting to the SARC from Rutland without a car was nearly impossible.",
     "Travel to the SARC is hard from rural areas", "Accessibility and reasonable adjustments", [4]),
    ("I did not know I could make a Victim Personal Statement.",
     "Victims are not told about the Victim Personal Statement", "Court and trial process", [7]),
    ("Counselling had a waiting list of eight months.",
     "Counselling waiting lists are too long", "Waiting times and delays", [4]),
    ("The officer assumed things about my family because of my background.",
     "Assumptions based on culture and background", "Cultural awareness", [1, 12]),
    ("I was never told the outcome of the appeal.",
     "Outcomes of appeals are not passed on", "Communication and updates", [9]),
    ("Claiming my travel expenses for court took months.",
     "Witness expenses are slow to be paid", "Compensation and expenses", [10]),
    ("When he was released nobody warned me.",
     "Victims are not told when an offender is released", "Information about the offender", [11]),
    ("I wanted to complain but did not know who to contact.",
     "The complaints route is not clear", "Trust and confidence in policing", [12]),
    ("Being referred between three services meant telling my story three times.",
     "Repeated retelling when referred between services", "Referral between services", [4]),
    ("The crisis worker came to me at home, which made all the difference.",
     "Outreach by crisis workers is valued", "Support after reporting", [4]),
    ("My teenage son had nowhere to go for support after the assault.",
     "Gaps in support for children and young people", "Children and young people", [4]),
    ("The online reporting form did not work on my phone.",
     "Online reporting is hard to use on a phone", "Digital and online access", [2, 3]),
    ("I was not believed at first and that stayed with me.",
     "Feeling disbelieved at first contact", "Being believed and treated with respect", [2]),
    ("Nobody talked to me about staying safe after I reported.",
     "Safety planning is not offered at the start", "Safety planning", [4, 3]),
    ("I would have liked to hear about compensation from the start.",
     "Information on compensation comes too late", "Compensation and expenses", [5]),
]

RESPONSES = [
    "The ISVA specification now requires a named contact within two working days.",
    "We raised this with the force's victim services lead; a monthly update standard is being piloted.",
    "The counselling provider has added evening sessions and a waiting-list check-in call.",
    "Travel costs to the SARC can now be met from the victim support fund.",
    "Interpreter needs are now asked at first contact in the new referral form.",
    "We shared this with the Witness Care Unit and it is part of the next contract review.",
]

# What was done about each kind of feedback: "you said, we did" must read as an answer to what was said.
RESPONSE_FOR = {
    "Victims are not told who their contact officer is":
        "The force now gives every victim a named officer and a direct number in the first letter.",
    "Long gaps without updates during investigations":
        "We raised this with the force's victim services lead; a monthly update standard is being piloted.",
    "ISVA support is valued most for explaining the court process":
        "The ISVA specification now keeps court preparation as a core part of the service.",
    "Interpreters are offered too late":
        "Interpreter needs are now asked at first contact in the new referral form.",
    "Travel to the SARC is hard from rural areas":
        "Travel costs to the SARC can now be met from the victim support fund.",
    "Victims are not told about the Victim Personal Statement":
        "Officers' first-contact checklist now includes offering a Victim Personal Statement.",
    "Counselling waiting lists are too long":
        "The counselling provider has added evening sessions and a waiting-list check-in call.",
    "Assumptions based on culture and background":
        "Cultural awareness training written with members is now part of the providers' contracts.",
    "Outcomes of appeals are not passed on":
        "We shared this with the Witness Care Unit and it is part of the next contract review.",
    "Witness expenses are slow to be paid":
        "We asked the courts service to pay witness expenses within 10 working days and will check it does.",
    "Victims are not told when an offender is released":
        "The victim contact scheme is now explained to every eligible victim at the start.",
    "The complaints route is not clear":
        "Every provider's leaflet and website now shows how to complain and to whom.",
    "Repeated retelling when referred between services":
        "Referrals between commissioned services now pass on the victim's account with their consent.",
    "Outreach by crisis workers is valued":
        "The crisis worker pilot has been extended for a further year.",
    "Gaps in support for children and young people":
        "The Children's ISVA service now takes referrals for 16 and 17 year olds.",
    "Online reporting is hard to use on a phone":
        "The force has rebuilt the online reporting form so that it works on a phone.",
    "Feeling disbelieved at first contact":
        "Members' accounts are now used in call handlers' training on first contact.",
    "Safety planning is not offered at the start":
        "The ISVA specification now requires a safety plan to be offered at the first meeting.",
    "Information on compensation comes too late":
        "Information about compensation is now given in the first letter to every victim.",
}

NOT_ACTIONED = [
    "This is outside what the OPCC commissions; we passed it to the courts service.",
    "An existing service already offers this; we have improved how it is signposted instead.",
]
