from ui.common.section_page import SectionPage


class ApplicantsPage(SectionPage):
    kind = "applicants"
    title = "Applicants"
