"""The e-mail outbox: messages queued in the caller's transaction, sent by the job worker over SMTP.

A feature that wants to tell someone something (a dataset's freshness reminder, an information request's
confirmation) queues a message under a key of its own choosing, so the same reminder is never queued twice.
Messages stay in the `outbox` table until a mail server is configured (`DEREK_SMTP_HOST`); then the worker's
schedule queues a `mail.send` job whenever messages are due, and the job sends them with `smtplib`. A failed
attempt is kept with its reason in words and tried again later (5 minutes, then 10, 20, ...), at most
`MAX_ATTEMPTS` times in all. Before a message is sent it is claimed for a while (`CLAIM`), so two workers
never send the same message, and it is marked sent in its own commit, so a later run never sends it again.
"""

from __future__ import annotations

import ipaddress
import logging
import smtplib
import socket
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import Index, Integer, String, Text, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from derek.core import jobs
from derek.core.authz import SYSTEM
from derek.core.db import Base, UTCDateTime, new_id, utcnow
from derek.core.errors import Invalid

if TYPE_CHECKING:
    from derek.config import Settings

log = logging.getLogger(__name__)

SEND_JOB = "mail.send"
OUTBOX = "outbox"  # the send job's subject: there is one outbox
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=5)  # doubled after every failed attempt
CLAIM = timedelta(minutes=15)  # a message being sent is not due for others meanwhile
DEFAULT_TIMEOUT = 15.0
# how long the schedule waits before asking again when the last send job found no mail server configured
UNCONFIGURED_RECHECK = timedelta(hours=1)
NOT_CONFIGURED = "no mail server is configured (DEREK_SMTP_HOST): messages stay in the outbox"
MAX_TO, MAX_SUBJECT, MAX_KEY, MAX_KIND = 500, 300, 200, 60
# links in a message are written as SITE + "/path": the sender puts the portal's address (DEREK_SITE_URL)
# there, so code that queues mail needs no settings
SITE = "{site}"


class OutboxMessage(Base):
    """One e-mail: waiting (sent_at empty), sent, or given up (MAX_ATTEMPTS failed, last_error says why)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(MAX_KEY), unique=True)  # e.g. "freshness:<dataset id>:2026-12"
    to: Mapped[str] = mapped_column(String(MAX_TO))  # one address, or several separated by commas
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT))
    body: Mapped[str] = mapped_column(Text)  # plain text
    kind: Mapped[str] = mapped_column(String(MAX_KIND), index=True)  # e.g. "quality.freshness"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")  # the latest failure, in words
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # empty: at once


# ---------------------------------------------------------------- queueing


def _check_addresses(to: str) -> list[str]:
    addresses = [part.strip() for part in to.split(",")]
    if not to.strip() or any(not address for address in addresses):
        raise Invalid(f"Give an e-mail address to send to (several separated by commas), not {to!r}.")
    for address in addresses:
        local, _at, domain = address.partition("@")
        if address.count("@") != 1 or not local or not domain or any(c.isspace() for c in address):
            raise Invalid(f"{address!r} is not an e-mail address: it needs one '@' and no spaces.")
    return addresses


def queue(session: Session, *, to: str, subject: str, body: str, kind: str, key: str) -> OutboxMessage | None:
    """Add a message to the outbox in the caller's transaction (the caller commits); None when a message
    with this key was queued before (sent or not), so a reminder is never sent twice."""
    if any(c in "\r\n" for c in to + subject):
        # a line break would let the text add headers of its own (Bcc: ...)
        raise Invalid("An e-mail's address and subject must be one line each, without line breaks.")
    addresses = _check_addresses(to)
    to = ", ".join(addresses)
    if len(to) > MAX_TO:
        raise Invalid(f"The addresses are too long for one e-mail: at most {MAX_TO} characters.")
    if len(subject) > MAX_SUBJECT:
        raise Invalid(f"The subject is too long: at most {MAX_SUBJECT} characters, not {len(subject)}.")
    if not key or len(key) > MAX_KEY or not kind or len(kind) > MAX_KIND:
        raise Invalid(f"An e-mail needs a key (1-{MAX_KEY} characters) and a kind (1-{MAX_KIND}).")
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return None
    message = OutboxMessage(key=key, to=to, subject=subject, body=body, kind=kind)
    try:
        with session.begin_nested():  # another transaction may queue the same key meanwhile
            session.add(message)
    except IntegrityError:
        return None
    return message


# ---------------------------------------------------------------- sending


def _due(now: datetime) -> ColumnElement[bool]:
    return (
        OutboxMessage.sent_at.is_(None)
        & (OutboxMessage.attempts < MAX_ATTEMPTS)
        & or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    )


def _waiting(session: Session) -> int:
    """Messages not sent yet that will still be tried (the ones given up are not counted)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        )
        or 0
    )


def _server(settings: Settings) -> str:
    return f"{settings.smtp_host}:{settings.smtp_port}"


def _timeout(settings: Settings) -> float:
    return float(getattr(settings, "fetch_timeout", 0) or DEFAULT_TIMEOUT)


def describe_failure(exc: BaseException, settings: Settings) -> str:
    """What went wrong, in words an administrator can act on."""
    server = _server(settings)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address} ({code} {_text(reply)})" for address, (code, reply) in exc.recipients.items()
        )
        return f"The mail server {server} refused the recipient: {refused}."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return (
            f"The mail server {server} refused the login of {settings.smtp_user!r} "
            f"(DEREK_SMTP_USER, DEREK_SMTP_PASSWORD): {exc.smtp_code} {_text(exc.smtp_error)}."
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"The mail server {server} refused the sender {settings.mail_from!r} (DEREK_MAIL_FROM): "
            f"{exc.smtp_code} {_text(exc.smtp_error)}."
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"The mail server {server} does not support what was asked of it: {exc}."
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server {server} answered {exc.smtp_code} {_text(exc.smtp_error)}."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server {server} closed the connection unexpectedly ({exc})."
    if isinstance(exc, smtplib.SMTPException):
        return f"Sending through the mail server {server} failed: {exc}."
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"The mail server {server} refused the connection: nothing listens there "
            "(DEREK_SMTP_HOST, DEREK_SMTP_PORT)."
        )
    if isinstance(exc, TimeoutError):
        return f"The mail server {server} did not answer within {_timeout(settings):g} seconds."
    if isinstance(exc, socket.gaierror):
        return f"The mail server's name {settings.smtp_host!r} could not be resolved ({exc.strerror})."
    if isinstance(exc, ssl.SSLError):
        return f"The secure connection (STARTTLS) to the mail server {server} failed: {exc.reason or exc}."
    if isinstance(exc, OSError):
        return f"The mail server {server} could not be reached: {exc.strerror or exc}."
    return f"Sending through the mail server {server} failed: {type(exc).__name__}: {exc}."


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _ehlo_name(settings: Settings) -> str:
    """The name the portal greets the mail server with: its public host name (smtplib would otherwise
    look this machine's name up in the DNS, which may be slow or give "localhost")."""
    host = urlsplit(settings.site_url).hostname or "localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[{address}]" if address.version == 4 else f"[IPv6:{address}]"  # RFC 5321 address literals


def _connect(settings: Settings) -> smtplib.SMTP:
    name, timeout = _ehlo_name(settings), _timeout(settings)
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, local_hostname=name, timeout=timeout)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _mime(message: OutboxMessage, settings: Settings) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = settings.mail_from
    mime["To"] = message.to
    mime["Subject"] = message.subject  # encoded as UTF-8 (RFC 2047) when not plain ASCII
    mime["Date"] = formatdate(usegmt=True)
    domain = settings.mail_from.rpartition("@")[2].strip("> ") or "localhost"
    mime["Message-ID"] = make_msgid(domain=domain)
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to the portal
    mime.set_content(message.body.replace(SITE, settings.site_url.rstrip("/")), charset="utf-8")
    return mime


def _claim(session: Session, message: OutboxMessage, now: datetime) -> bool:
    """Take the message for this run (committed), unless another worker took or sent it meanwhile."""
    claimed = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, _due(now))
        .values(next_attempt_at=now + CLAIM)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if getattr(claimed, "rowcount", 0) != 1:
        return False
    set_committed_value(message, "next_attempt_at", now + CLAIM)  # what the row holds now
    return True


def _record_failure(message: OutboxMessage, error: str, now: datetime) -> None:
    message.attempts += 1
    message.last_error = error
    given_up = message.attempts >= MAX_ATTEMPTS
    message.next_attempt_at = None if given_up else now + FIRST_RETRY * 2 ** (message.attempts - 1)
    log.warning(
        "e-mail %s (%s) to %s: attempt %d failed%s: %s",
        message.id,
        message.kind,
        message.to,
        message.attempts,
        ", given up" if given_up else "",
        error,
    )


def send_pending(
    session: Session, settings: Settings, *, limit: int = 100, now: datetime | None = None
) -> dict[str, int]:
    """Send the messages that are due through the configured SMTP server, oldest first, at most `limit`.

    Without `settings.smtp_host` nothing is sent: messages stay in the outbox. Each message's outcome is
    committed at once (an e-mail cannot be taken back). When the server cannot be reached, every due
    message records that failure, so they all wait for their next attempt instead of the worker trying
    again each minute. Counts: sent and failed in this run, and waiting: messages still unsent that will
    be tried later (failed ones among them, not those given up)."""
    if not settings.smtp_host:
        return {"sent": 0, "failed": 0, "waiting": _waiting(session)}
    now = now or utcnow()
    due = list(
        session.scalars(
            select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.created_at).limit(limit)
        )
    )
    sent = failed = 0
    smtp: smtplib.SMTP | None = None
    unreachable = ""  # why the server failed in this run: the other messages need not try again
    try:
        for message in due:
            if not _claim(session, message, now):
                continue  # another worker has it
            if unreachable:
                _record_failure(message, unreachable, now)
                failed += 1
                session.commit()
                continue
            try:
                smtp = smtp or _connect(settings)
                refused = smtp.send_message(_mime(message, settings))
            except (OSError, smtplib.SMTPException) as exc:  # smtplib's errors are OSErrors too
                error = describe_failure(exc, settings)
                _record_failure(message, error, now)
                failed += 1
                if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError):
                    unreachable = error  # not this message's fault: the server or the settings
                    _close(smtp)
                    smtp = None
            except Exception as exc:  # e.g. a header the e-mail library refuses: this message only
                log.exception("e-mail %s could not be sent", message.id)
                _record_failure(message, f"The e-mail could not be sent: {type(exc).__name__}: {exc}", now)
                failed += 1
            else:
                if refused:  # some recipients took it; the rest are named in the log
                    log.warning("e-mail %s: the mail server refused %s", message.id, sorted(refused))
                message.sent_at, message.next_attempt_at, message.last_error = utcnow(), None, ""
                sent += 1
            session.commit()
    finally:
        _close(smtp)
    return {"sent": sent, "failed": failed, "waiting": _waiting(session)}


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


# ---------------------------------------------------------------- the worker


def _has_due(session: Session, now: datetime) -> bool:
    return session.scalar(select(OutboxMessage.id).where(_due(now)).limit(1)) is not None


@jobs.handler(SEND_JOB)
def _run_send_job(session: Session, context: jobs.JobContext) -> dict[str, Any]:
    settings = context.resources["settings"]
    counts = send_pending(session, settings)
    if not settings.smtp_host:
        return {"skipped": NOT_CONFIGURED, **counts}
    return dict(counts)


@jobs.schedule("mail")
def queue_sending(session: Session, now: datetime) -> int:
    """Queue a send job when messages are due and none is queued or running. The schedule cannot see the
    settings: when the last job found no mail server configured, it asks again only after an hour."""
    if not _has_due(session, now):
        return 0
    latest = jobs.latest_for(session, SEND_JOB, OUTBOX)
    if latest is not None:
        if latest.status in ("queued", "running"):
            return 0
        if (latest.result or {}).get("skipped") and now - latest.created_at < UNCONFIGURED_RECHECK:
            return 0
    jobs.enqueue(session, SYSTEM, SEND_JOB, OUTBOX, OUTBOX, {"scheduled": True})
    return 1
