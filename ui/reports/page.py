from ui.common.section_page import SectionPage


class ReportsPage(SectionPage):
    kind = "recruitment_summary"
    title = "Reports"
    description = "Recruitment by window: how many applied and how far they got."
