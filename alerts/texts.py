"""The words of an alert (Russian: the agency's own staff read them), from an incident's codes.

Each line says what broke (or cleared), for which client and account, the vendor's message
as it came, and what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alerts.incidents import Change, Incident

__all__ = ["change_line", "digest_subject", "subject"]

_HOLDS = {
    "account_failed": "загрузка кабинета не удалась",
    "account_not_covered": "кабинет загружен не за весь период",
    "restatement_open": "площадки ещё пересчитывают период",
    "not_served": "клиент не обслуживался в периоде",
}


def _client(incident: Incident, names: Mapping[str, str]) -> str:
    if incident.client is None:
        return ""
    return names.get(incident.client, incident.client)


def _money(value: object) -> str:
    """``"13026.69"`` -> ``13 026,69`` (Russian digit grouping)."""
    try:
        return f"{float(str(value)):,.2f}".replace(",", "\u00a0").replace(".", ",")
    except ValueError:
        return str(value)


def _balance(incident: Incident) -> str:
    d = incident.detail
    account = f"{d.get('source')}/{d.get('account_id')}"
    left = f"{_money(d.get('amount'))} {d.get('currency')}"
    if d.get("status") == "empty":
        return f"на счёте {account} закончились деньги (остаток {left})"
    days = str(d.get("days_left")).replace(".", ",")
    return (
        f"на счёте {account} осталось {left} — на {days} дн. при расходе "
        f"{_money(d.get('avg_daily_spend'))} {d.get('currency')} в день (порог {d.get('threshold_days')} дн.)"
    )


def _what(incident: Incident) -> str:
    d = incident.detail
    account = f"{d.get('source')}/{d.get('account_id')}"
    if incident.kind == "account_failed":
        return f"загрузка кабинета {account} не удалась: {d.get('error') or 'без сообщения'}"
    if incident.kind == "account_stale":
        covered = d.get("covered_to")
        return (
            f"кабинет {account} загружен только по {covered}"
            if covered
            else f"кабинет {account} ни разу не загружен"
        )
    if incident.kind == "report_held":
        holds = ", ".join(_HOLDS.get(str(h), str(h)) for h in d.get("holds", []))
        return f"отчёт за {d.get('period')} задержан: {holds}"
    if incident.kind == "balance_low":
        return _balance(incident)
    if incident.kind == "run_failed":
        return f"ночное обновление ({d.get('job')}) упало: {d.get('error') or 'без сообщения'}"
    if incident.kind == "run_late":
        return f"ночное обновление не закончилось к {d.get('deadline')} МСК"
    if incident.kind == "config_refused":
        return (
            f"конфигурация {d.get('file')} не принята ({d.get('error') or 'без сообщения'}); "
            f"обновление идёт по последней рабочей копии {d.get('last_good')}"
        )
    if incident.kind == "source_stale":
        return (
            f"таблица {d.get('source')} устарела по dbt source freshness ({d.get('status')}): "
            f"последняя загрузка {d.get('max_loaded_at') or 'неизвестна'}"
        )
    return incident.key


_TODO = {
    "account_failed": "проверьте доступ (токен, права) и запустите обновление этого кабинета",
    "account_stale": "проверьте, что ночное обновление запускается и берёт этот кабинет",
    "report_held": "отчёт уйдёт сам, когда данные станут окончательными",
    "run_failed": "смотрите запуск в Dagster; данные на дашборде остаются от прошлой публикации",
    "run_late": "проверьте Dagster: запуск идёт или не начался",
    "balance_low": "пополните счёт или предупредите клиента, иначе реклама остановится",
    "config_refused": "исправьте файл (строка и поле названы) и проверьте: python -m pipelines check-config",
    "source_stale": "проверьте, что ночное обновление загружает эту таблицу (журнал refresh.log)",
}


def change_line(change: Change, names: Mapping[str, str]) -> str:
    """``Открыто · ООО «Ромашка»: загрузка кабинета yandex_direct/romashka не удалась: ...``."""
    what, incident = change
    client = _client(incident, names)
    head = "Решено" if what == "resolved" else "Проблема"
    text = f"{head} · {client + ': ' if client else ''}{_what(incident)}"
    if what == "opened" and incident.kind in _TODO:
        text += f". Что делать: {_TODO[incident.kind]}"
    return text


_KINDS = {
    "account_failed": "кабинет не загружается",
    "account_stale": "кабинет отстаёт",
    "report_held": "отчёт задержан",
    "run_failed": "ночное обновление упало",
    "run_late": "ночное обновление опаздывает",
    "balance_low": "на счёте кончаются деньги",
    "config_refused": "конфигурация не принята",
    "source_stale": "источник устарел",
}


def subject(change: Change, names: Mapping[str, str]) -> str:
    """``⚠️ Проблема: ООО «Ромашка» — кабинет не загружается`` / ``✅ Решено: ...``."""
    what, incident = change
    client = _client(incident, names)
    mark = "✅ Решено" if what == "resolved" else "⚠️ Проблема"
    return f"{mark}: {client + ' — ' if client else ''}{_KINDS.get(incident.kind, incident.kind)}"


def digest_subject(changes: Sequence[Change]) -> str:
    opened = sum(1 for what, _ in changes if what == "opened")
    resolved = len(changes) - opened
    return f"Отчётность агентства: {opened} новых проблем, {resolved} решено"
