"""Form submissions (view_submission). The catch-all for old forms is handlers/slack/fallbacks.py, wired last."""
from __future__ import annotations

from slack_bolt import App

from handlers.slack.blocks.events import AWARD_FORM, EVENT_FORM
from handlers.slack.blocks.governance import PROPOSAL_FORM, REASON_FORM
from handlers.slack.blocks.learner import SUBMIT_CALLBACK
from handlers.slack.blocks.reviews import REASON_CALLBACK
from handlers.slack.views import events, proposal, reviews, submission


def register(app: App) -> None:
    app.view(SUBMIT_CALLBACK)(submission.submit_form)
    app.view(REASON_CALLBACK)(reviews.reason_given)
    app.view(EVENT_FORM)(events.event_form)
    app.view(AWARD_FORM)(events.award_form)
    app.view(PROPOSAL_FORM)(proposal.proposal_form)
    app.view(REASON_FORM)(proposal.reason_given)
