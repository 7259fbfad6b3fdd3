"""The e-mail outbox, sent to a real SMTP server on 127.0.0.1 (aiosmtpd): UTF-8 subjects and bodies, one
message per key, waiting without a server, retries with back-off, header injection refused, the send job."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from derek.config import Settings
from derek.core import jobs, mail
from derek.core.authz import SYSTEM
from derek.core.db import Database, utcnow
from derek.core.errors import Invalid
from derek.core.mail import OutboxMessage
from tests.conftest import free_port, fresh_database_url, start_portal

SUBJECT = "Деректер жинағын жаңарту уақыты келді: «Қазақстан өңірлері»"
BODY = (
    "Сәлеметсіз бе!\n\n"
    "«Қазақстан өңірлері» деректер жинағы 30 күннен бері жаңартылмаған.\n"
    "Набор данных «Регионы Казахстана» не обновлялся 30 дней.\n"
)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return str(self.message.get_content()).replace("\r\n", "\n")


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    port: int
    recorder: Recorder = field(default_factory=Recorder)
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(fresh_database_url(tmp_path))
    database.upgrade()
    try:
        yield database
    finally:
        database.engine.dispose()


def settings_for(tmp_path: Path, port: int | None) -> Settings:
    """A mail server on 127.0.0.1 at `port`, or none."""
    return Settings(
        data_dir=tmp_path,
        smtp_host="127.0.0.1" if port else "",
        smtp_port=port or 25,
        smtp_user="",
        smtp_starttls=False,
        mail_from="portal@data.example.kz",
        fetch_timeout=10,
    )


def queue_one(db: Database, key: str = "freshness:ds-1:2026-12", to: str = "editor@example.org") -> str:
    with db.session() as session:
        message = mail.queue(session, to=to, subject=SUBJECT, body=BODY, kind="quality.freshness", key=key)
        assert message is not None
        session.flush()
        return message.id


def stored(db: Database, message_id: str) -> OutboxMessage:
    with db.session() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        return message


def test_a_kazakh_message_is_delivered_once(db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    message_id = queue_one(db)
    settings = settings_for(tmp_path, smtp.port)
    with db.session() as session:
        assert mail.send_pending(session, settings) == {"sent": 1, "failed": 0, "waiting": 0}
    with db.session() as session:  # a second run has nothing to send
        assert mail.send_pending(session, settings) == {"sent": 0, "failed": 0, "waiting": 0}

    assert len(smtp.recorder.received) == 1
    received = smtp.recorder.received[0]
    assert received.mail_from == "portal@data.example.kz"
    assert received.rcpt_tos == ["editor@example.org"]
    assert received.subject == SUBJECT
    assert received.body == BODY
    assert received.message.get_content_charset() == "utf-8"
    assert received.message["Auto-Submitted"] == "auto-generated"
    message = stored(db, message_id)
    assert message.sent_at is not None and message.attempts == 0 and message.last_error == ""
    assert message.next_attempt_at is None


def test_the_same_key_is_queued_once(db: Database) -> None:
    queue_one(db, key="freshness:ds-2:2026-12")
    with db.session() as session:
        again = mail.queue(
            session,
            to="other@example.org",
            subject="Again",
            body="-",
            kind="quality.freshness",
            key="freshness:ds-2:2026-12",
        )
        assert again is None
        fields = {"to": "a@example.org", "subject": "s", "body": "b", "kind": "k", "key": "same-transaction"}
        first = mail.queue(session, **fields)
        second = mail.queue(session, **fields)
        assert first is not None and second is None
    with db.session() as session:
        keys = session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.key)).all()
        assert keys == ["freshness:ds-2:2026-12", "same-transaction"]
        only = session.scalar(select(OutboxMessage).where(OutboxMessage.key == "freshness:ds-2:2026-12"))
        assert only is not None and only.to == "editor@example.org"


def test_without_a_mail_server_messages_wait_in_the_outbox(db: Database, tmp_path: Path) -> None:
    message_id = queue_one(db)
    with db.session() as session:
        assert mail.send_pending(session, settings_for(tmp_path, None)) == {
            "sent": 0,
            "failed": 0,
            "waiting": 1,
        }
    message = stored(db, message_id)
    assert message.sent_at is None and message.attempts == 0 and message.next_attempt_at is None


def test_a_server_that_is_down_is_tried_again_later(db: Database, tmp_path: Path) -> None:
    port = free_port()  # nothing listens there yet
    settings = settings_for(tmp_path, port)
    message_id = queue_one(db)
    with db.session() as session:
        assert mail.send_pending(session, settings) == {"sent": 0, "failed": 1, "waiting": 1}
    message = stored(db, message_id)
    assert message.sent_at is None and message.attempts == 1
    assert f"The mail server 127.0.0.1:{port} refused the connection" in message.last_error
    assert message.next_attempt_at is not None and message.next_attempt_at > utcnow()
    with db.session() as session:  # not due again yet: nothing is tried
        assert mail.send_pending(session, settings) == {"sent": 0, "failed": 0, "waiting": 1}
    assert stored(db, message_id).attempts == 1

    server = SmtpServer(port)
    server.start()
    try:
        with db.session() as session:
            later = message.next_attempt_at + timedelta(seconds=1)
            assert mail.send_pending(session, settings, now=later) == {"sent": 1, "failed": 0, "waiting": 0}
    finally:
        server.stop()
    assert [r.subject for r in server.recorder.received] == [SUBJECT]
    message = stored(db, message_id)
    assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""
    assert message.next_attempt_at is None


def test_the_outbox_gives_up_after_eight_attempts(db: Database, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, free_port())
    message_id = queue_one(db)
    now = utcnow()
    waits = []
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        with db.session() as session:
            counts = mail.send_pending(session, settings, now=now)
        assert counts["failed"] == 1
        message = stored(db, message_id)
        assert message.attempts == attempt
        if message.next_attempt_at is not None:
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert waits == [timedelta(minutes=5 * 2**n) for n in range(mail.MAX_ATTEMPTS - 1)]
    message = stored(db, message_id)
    assert message.next_attempt_at is None and "refused the connection" in message.last_error
    with db.session() as session:  # given up: neither due nor waiting
        far = now + timedelta(days=30)
        assert mail.send_pending(session, settings, now=far) == {"sent": 0, "failed": 0, "waiting": 0}


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("a@b.c\nBcc: x@y.z", "Hello"),
        ("a@b.c\r\nBcc: x@y.z", "Hello"),
        ("a@b.c", "Hello\r\nBcc: x@y.z"),
        ("a@b.c", "Hello\nBcc: x@y.z"),
        ("not-an-address", "Hello"),
        ("a b@c.d", "Hello"),
        ("a@b@c.d", "Hello"),
        ("", "Hello"),
    ],
)
def test_bad_addresses_and_header_injection_are_refused(db: Database, to: str, subject: str) -> None:
    with db.session() as session:
        with pytest.raises(Invalid) as refused:
            mail.queue(session, to=to, subject=subject, body="b", kind="k", key="injection")
        assert refused.value.message
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_several_addresses(db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    queue_one(db, to="one@example.org,  two@example.org")
    with db.session() as session:
        assert mail.send_pending(session, settings_for(tmp_path, smtp.port))["sent"] == 1
    assert smtp.recorder.received[0].rcpt_tos == ["one@example.org", "two@example.org"]


def test_the_schedule_queues_a_send_job_only_when_mail_is_due(db: Database, tmp_path: Path) -> None:
    now = utcnow()
    with db.session() as session:
        assert mail.queue_sending(session, now) == 0  # an empty outbox
    queue_one(db)
    with db.session() as session:
        assert mail.queue_sending(session, now) == 1
    with db.session() as session:
        assert mail.queue_sending(session, now) == 0  # one is queued already
        job = jobs.latest_for(session, mail.SEND_JOB, mail.OUTBOX)
        assert job is not None
    done = jobs.run_job(db, job.id, {"settings": settings_for(tmp_path, None)})
    assert done.status == "succeeded" and "no mail server" in done.result["skipped"]
    assert done.result["waiting"] == 1
    with db.session() as session:  # no mail server: not asked again every minute
        assert mail.queue_sending(session, now + timedelta(minutes=5)) == 0
        assert mail.queue_sending(session, now + timedelta(hours=2)) == 1


def test_the_send_job_of_a_running_portal_delivers(smtp: SmtpServer, tmp_path: Path) -> None:
    for portal in start_portal(tmp_path, smtp_host="127.0.0.1", smtp_port=smtp.port, mail_from="p@x.kz"):
        _name, token = portal.make_user(sysadmin=True)
        with portal.db.session() as session:  # in one transaction, so the schedule cannot queue one too
            mail.queue(session, to="editor@example.org", subject=SUBJECT, body=BODY, kind="test", key="job-1")
            job = jobs.enqueue(session, SYSTEM, mail.SEND_JOB, mail.OUTBOX, mail.OUTBOX)
        finished = portal.wait_job(token, job.id)
        assert finished["status"] == "succeeded", finished
        assert finished["result"] == {"sent": 1, "failed": 0, "waiting": 0}
    assert [(r.mail_from, r.subject, r.body) for r in smtp.recorder.received] == [("p@x.kz", SUBJECT, BODY)]
