"""Work that arrives with files (the submit form, a DM to the bot): fetch the files, then submit.

Fetching happens after Slack has been answered (a download may take longer than Slack's 3 seconds),
so what goes wrong here is told to the learner in Slack rather than returned to a form.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.errors import BadgebotError, FileRejected
from bot.usecases import submissions as submissions_uc
from bot.usecases.catalog import credential_in_message
from bot.usecases.context import Context
from bot.usecases.submissions import ArtifactFile
from config.catalog import Catalog


class FileFetcher(Protocol):
    def fetch(self, files: list[dict[str, Any]]) -> Sequence[ArtifactFile]: ...


class Messenger(Protocol):
    def tell(self, user: str, text: str, thread_ts: str | None = None, channel: str | None = None) -> None: ...



@dataclass(frozen=True)
class Intake:
    ctx: Context
    catalog: Catalog
    files: FileFetcher
    messenger: Messenger

    def receive_submission(self, user: str, name: str | None, credential: str, files: list[dict[str, Any]],
                           reflection: str, link: str | None, resubmission_of: int | None = None,
                           thread: tuple[str, str] | None = None) -> None:
        """Fetch the files, then submit (or resubmit); tell the learner plainly if anything fails."""
        channel, thread_ts = thread or (None, None)
        try:
            artifacts = self.files.fetch(files)
            if resubmission_of:
                submissions_uc.resubmit(self.ctx, user, resubmission_of, artifacts, reflection)
                self.messenger.tell(user, ":inbox_tray: Resubmitted: your grantors have the new files.",
                                    thread_ts, channel)
            else:
                submissions_uc.submit(self.ctx, user, credential, artifacts, reflection, link, display_name=name)
        except FileRejected as exc:
            self.messenger.tell(user, f":warning: {exc} Nothing was submitted.", thread_ts, channel)
        except BadgebotError as exc:
            self.messenger.tell(user, f":warning: {exc}", thread_ts, channel)

    def receive_dm(self, event: dict[str, Any]) -> None:
        """Files in a DM: a resubmission in its submission's thread, else a submission for the credential
        the message names."""
        user, files, text = event["user"], event.get("files") or [], (event.get("text") or "").strip()
        channel, thread_ts = event.get("channel", ""), event.get("thread_ts")
        if thread_ts:
            submission = submissions_uc.find_open_by_thread(self.ctx, user, channel, thread_ts)
            if submission is not None and files:
                return self.receive_submission(user, None, "", files, text, None, submission, (channel, thread_ts))
        if not files:
            if not thread_ts:
                self.messenger.tell(user, "Hi! Type `/badges` to see your badges, or send me your files with the "
                                          "badge's name (e.g. `sql-basics`) to submit work.", channel=channel)
            return
        try:
            spec = credential_in_message(self.catalog, text)
        except BadgebotError as exc:
            return self.messenger.tell(user, f":warning: Which badge is this for? {exc} Send the files again with "
                                             "the badge's id in the message.", thread_ts or event.get("ts"), channel)
        self.receive_submission(user, None, spec.id, files, text, None)
