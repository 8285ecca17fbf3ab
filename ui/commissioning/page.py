from ui.common.section_page import SectionPage


class CommissioningPage(SectionPage):
    kind = "services"
    title = "Commissioning"
