"""Run one nameko service as a process: `python -m services.runtime.nameko_ext.launcher
services.plans.service:PlansService`.

eventlet must patch the standard library before anything else imports it.
"""

import warnings

# eventlet announces its deprecation on import; nameko 2.14 needs it, and only the edge uses it
# (docs/architecture.md, docs/decisions/0007-nameko-at-the-edge.md).
warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
warnings.filterwarnings("ignore", category=DeprecationWarning)

import eventlet  # noqa: E402

eventlet.monkey_patch()

import importlib  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from kombu import Connection  # noqa: E402
from nameko.cli.run import run  # noqa: E402

from services.runtime.gc_tuning import tune_for_service  # noqa: E402
from services.runtime.logging import configure_logging  # noqa: E402
from services.runtime.mongo import redact, wait_for_database  # noqa: E402
from services.runtime.nameko_ext.providers import SETTINGS_KEY  # noqa: E402
from services.runtime.settings import ServiceSettings, load_settings  # noqa: E402

log = logging.getLogger("launcher")


def wait_for_broker(settings: ServiceSettings, attempts: int = 60) -> None:
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            with Connection(settings.amqp_uri, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1, timeout=3)
            return
        except Exception as exc:
            log.warning("broker not reachable, retrying", extra={
                "uri": redact(settings.amqp_uri), "attempt": attempt, "retry_in_s": delay,
                "error": str(exc)[:200]})
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
    raise SystemExit(f"broker at {redact(settings.amqp_uri)} did not answer")


def nameko_config(settings: ServiceSettings) -> dict[str, object]:
    return {
        "AMQP_URI": settings.amqp_uri,
        "HEARTBEAT": settings.amqp_heartbeat_seconds,
        "max_workers": settings.max_workers,
        "serializer": "json",
        "LOGGING": None,
        SETTINGS_KEY: settings,
    }


def main(target: str) -> None:
    module_name, _, class_name = target.partition(":")
    service_cls = getattr(importlib.import_module(module_name), class_name)
    settings = load_settings(service_cls.settings_class)
    configure_logging(service_cls.name, settings.log_level)
    wait_for_broker(settings)
    wait_for_database(settings)
    log.info("starting service", extra={"amqp": redact(settings.amqp_uri),
                                        "database": settings.database_name(service_cls.name)})
    tune_for_service()
    run([service_cls], nameko_config(settings))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: launcher module.path:ServiceClass")
    main(sys.argv[1])
