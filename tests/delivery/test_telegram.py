"""Telegram through a fake Bot API on 127.0.0.1: the multipart upload as the server receives it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.http import RetryPolicy
from delivery import Attachment, Channels, DeliveryError, Message, TelegramChannel, deliver
from pipelines.load.config import DeliverySettings, Recipient
from tests.fakes import FakeResponse
from tests.fakes.telegram import FakeTelegram, bot_error

TOKEN = "7012345678:AAHk3-FAKE_token_for_tests_only_xyz"
SECRET = TOKEN.split(":")[1]
SUBJECT = "Отчёт за октябрь 2026 — ООО «Ромашка»"
TEXT = "Здравствуйте!\n\nВо вложении отчёт за октябрь 2026 (PDF).\n"
CHAT = -1001234567890


OPEN: list[TelegramChannel | Channels] = []


@pytest.fixture(autouse=True)
def close_channels() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def bot_channel(bot: FakeTelegram, sleeps: list[float] | None = None, **kwargs: Any) -> TelegramChannel:
    kwargs.setdefault("retry", RetryPolicy(max_attempts=4, max_total_wait=60.0, jitter=0.0))
    channel = TelegramChannel(
        TOKEN, base_url=bot.url, sleep=(sleeps.append if sleeps is not None else lambda _: None), **kwargs
    )
    OPEN.append(channel)
    return channel


def test_a_report_is_one_document_upload_with_its_caption(pdf: Attachment) -> None:
    with FakeTelegram(TOKEN) as bot:
        channel = bot_channel(bot)
        outcomes = deliver(
            Message(SUBJECT, TEXT, (pdf,)), [Recipient(telegram=CHAT)], Channels(telegram=channel)
        )
    assert [o.status for o in outcomes] == ["sent"]
    (request,) = bot.requests
    assert request.method == "POST" and request.path == f"/bot{TOKEN}/sendDocument"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    (call,) = bot.calls
    assert call.chat_id == str(CHAT)
    assert call.fields["caption"] == f"{SUBJECT}\n\n{TEXT.strip()}"
    assert "parse_mode" not in call.fields  # plain text: nothing to escape
    document = call.files["document"]
    assert document.filename == "Отчёт за октябрь 2026 — ООО «Ромашка».pdf"
    assert document.content == pdf.content
    assert document.content_type == "application/pdf"


def test_a_pdf_and_an_excel_go_together_as_one_album(pdf: Attachment, xlsx: Attachment) -> None:
    with FakeTelegram(TOKEN) as bot:
        bot_channel(bot).send(Message(SUBJECT, TEXT, (pdf, xlsx)), Recipient(telegram="@romashka_reports"))
    (call,) = bot.calls
    assert call.method == "sendMediaGroup" and call.chat_id == "@romashka_reports"
    media = json.loads(call.fields["media"])
    assert [m["type"] for m in media] == ["document", "document"]
    assert [m.get("caption") for m in media] == [None, f"{SUBJECT}\n\n{TEXT.strip()}"]  # under the last
    uploads = {call.files[m["media"].removeprefix("attach://")].filename: m for m in media}
    assert set(uploads) == {pdf.filename, xlsx.filename}
    assert {f.content for f in call.files.values()} == {pdf.content, xlsx.content}


def test_a_message_without_files_is_a_text_message() -> None:
    with FakeTelegram(TOKEN) as bot:
        bot_channel(bot).send(Message("Сбой загрузки", "Директ: токен истёк"), Recipient(telegram=42))
    (call,) = bot.calls
    assert call.method == "sendMessage" and call.fields == {
        "chat_id": "42",
        "text": "Сбой загрузки\n\nДирект: токен истёк",
    }


def test_a_text_too_long_for_a_caption_goes_first_on_its_own(pdf: Attachment) -> None:
    long_text = "Строка отчёта.\n" * 100  # 1,500 characters: more than a caption may hold
    with FakeTelegram(TOKEN) as bot:
        bot_channel(bot).send(Message(SUBJECT, long_text, (pdf,)), Recipient(telegram=CHAT))
    assert [c.method for c in bot.calls] == ["sendMessage", "sendDocument"]
    assert bot.calls[0].fields["text"].startswith(SUBJECT) and "caption" not in bot.calls[1].fields


def test_a_429_waits_as_long_as_telegram_says_then_sends(pdf: Attachment) -> None:
    sleeps: list[float] = []
    with FakeTelegram(TOKEN) as bot:
        bot.enqueue(bot_error(429, "Too Many Requests: retry after 3", retry_after=3))
        bot_channel(bot, sleeps).send(Message(SUBJECT, TEXT, (pdf,)), Recipient(telegram=CHAT))
    assert sleeps == [3.0]
    assert len(bot.requests) == 2 and len(bot.calls) == 1
    assert bot.calls[0].files["document"].content == pdf.content


def test_a_server_error_is_retried(pdf: Attachment) -> None:
    with FakeTelegram(TOKEN) as bot:
        bot.enqueue(bot_error(502, "Bad Gateway"))
        bot_channel(bot).send(Message(SUBJECT, TEXT, (pdf,)), Recipient(telegram=CHAT))
    assert len(bot.requests) == 2 and len(bot.calls) == 1


def test_a_blocked_bot_is_a_failed_outcome_with_the_reason_and_no_token(
    pdf: Attachment, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeTelegram(TOKEN) as bot:
        bot.blocked.add("555")
        channel = bot_channel(bot)
        outcomes = deliver(
            Message(SUBJECT, TEXT, (pdf,)),
            [Recipient(telegram=555), Recipient(telegram=CHAT)],
            Channels(telegram=channel),
        )
    blocked, fine = outcomes
    assert blocked.status == "failed" and blocked.permanent and not blocked.maybe_sent
    assert blocked.reason is not None
    assert "Telegram chat 555: telegram: HTTP 403 Forbidden: bot was blocked by the user" in blocked.reason
    assert "ask them to unblock it" in blocked.reason
    assert fine.status == "sent"  # the next recipient still gets it
    assert len(bot.requests) == 2  # a 403 is never retried
    assert caplog.records, "httpx logged the requests"
    for text in (blocked.reason, caplog.text, repr(channel), str(outcomes)):
        assert SECRET not in text


def test_an_unknown_chat_and_a_migrated_group_say_what_to_do(pdf: Attachment) -> None:
    with FakeTelegram(TOKEN) as bot:
        bot.missing.add("777")
        bot.enqueue(
            bot_error(
                400, "Bad Request: group chat was upgraded to a supergroup chat", migrate_to_chat_id=-1009
            )
        )
        channel = bot_channel(bot)
        with pytest.raises(DeliveryError) as migrated:
            channel.send(Message(SUBJECT, TEXT, (pdf,)), Recipient(telegram=-9))
        with pytest.raises(DeliveryError) as missing:
            channel.send(Message(SUBJECT, TEXT, (pdf,)), Recipient(telegram=777))
    assert (
        migrated.value.permanent
        and "change its chat id in the configuration to -1009" in migrated.value.reason
    )
    assert "chat not found" in missing.value.reason and "start the bot first" in missing.value.reason


def test_a_wrong_token_names_the_variable_not_the_token(pdf: Attachment) -> None:
    with FakeTelegram("7012345678:AAH-the-right-one") as bot, pytest.raises(DeliveryError) as caught:
        bot_channel(bot).send(Message(SUBJECT, TEXT, (pdf,)), Recipient(telegram=CHAT))
    assert caught.value.permanent
    assert (
        "HTTP 401 Unauthorized" in caught.value.reason
        and "TELEGRAM_BOT_TOKEN is wrong" in caught.value.reason
    )
    assert SECRET not in caught.value.reason and len(bot.requests) == 1


def test_an_upload_cut_off_before_the_reply_is_not_sent_again(pdf: Attachment) -> None:
    with FakeTelegram(TOKEN) as bot:
        bot.enqueue(FakeResponse(200, b'{"ok": tr', truncate=True))
        with pytest.raises(DeliveryError) as caught:
            bot_channel(bot).send(Message(SUBJECT, TEXT, (pdf,)), Recipient(telegram=CHAT))
    assert len(bot.requests) == 1
    assert caught.value.maybe_sent and not caught.value.permanent
    assert "it may have reached the server" in caught.value.reason and SECRET not in caught.value.reason


def test_the_token_comes_from_the_environment_and_is_checked_without_being_shown() -> None:
    configured = Channels.from_config(DeliverySettings(), {"TELEGRAM_BOT_TOKEN": TOKEN})
    OPEN.append(configured)
    assert isinstance(configured.telegram, TelegramChannel)
    channels = Channels.from_config(DeliverySettings(), {"TELEGRAM_BOT_TOKEN": "not a token"})
    (outcome,) = deliver(Message(SUBJECT, TEXT), [Recipient(telegram=1)], channels)
    assert outcome.status == "failed" and "does not look like a bot token" in (outcome.reason or "")
    assert "not a token" not in (outcome.reason or "")
    with pytest.raises(ValueError, match="Telegram is not set up: set TELEGRAM_BOT_TOKEN"):
        TelegramChannel.from_env({})


def test_files_telegram_cannot_take_fail_before_any_upload() -> None:
    big = Attachment("big.pdf", b"\0" * (50 * 1024 * 1024 + 1), "application/pdf")
    with FakeTelegram(TOKEN) as bot:
        channel = bot_channel(bot)
        with pytest.raises(DeliveryError, match="at most 50 MB") as caught:
            channel.send(Message(SUBJECT, TEXT, (big,)), Recipient(telegram=CHAT))
        eleven = tuple(Attachment(f"{i}.pdf", b"x", "application/pdf") for i in range(11))
        with pytest.raises(DeliveryError, match="at most 10 files"):
            channel.send(Message(SUBJECT, TEXT, eleven), Recipient(telegram=CHAT))
    assert caught.value.permanent and bot.requests == []
