"""Pure domain layer of the notifications service (stdlib + Jinja2 only).

Modules: notices, preferences, planning, templates, translations, sms, webhook_signing,
delivery, ratelimit, ack, escalation, bulletins, errors.
"""
