from ui.common.section_page import SectionPage


class FeedbackPage(SectionPage):
    kind = "feedback"
    title = "Feedback"
