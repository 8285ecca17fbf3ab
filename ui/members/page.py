from ui.common.section_page import SectionPage


class MembersPage(SectionPage):
    kind = "members"
    title = "Members"
