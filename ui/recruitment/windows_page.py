from ui.common.section_page import SectionPage


class WindowsPage(SectionPage):
    kind = "windows"
    title = "Recruitment"
