from ui.common.section_page import SectionPage


class MeetingsPage(SectionPage):
    kind = "meetings"
    title = "Meetings"
