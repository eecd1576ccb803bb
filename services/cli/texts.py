"""What the `campaign` command says, in English and Vietnamese. `CAMPAIGN_LANG=vi` chooses
Vietnamese (help, progress and messages); anything else, English. Each help ends by naming the
other language, so `--help` shows a person who reads only one how to get it."""

from __future__ import annotations

import os

TEXTS: dict[str, tuple[str, str]] = {
    "app": (
        "Run and administer the campaign platform: serve a process, create the first admin, "
        "import plans, inspect and replay dead letters, rotate secrets.",
        "Chạy và quản trị nền tảng chiến dịch: chạy một tiến trình, tạo quản trị viên đầu "
        "tiên, nhập kế hoạch, xem và xử lý lại thư chết (dead letter), thay khóa bí mật."),
    "other_language": (
        "Tiếng Việt: CAMPAIGN_LANG=vi campaign --help",
        "English: CAMPAIGN_LANG=en campaign --help"),
    "serve": (
        "Run one process of the platform in the foreground: gateway, plans, notifications or "
        "monitoring (or a nameko service as module:Class).",
        "Chạy một tiến trình của nền tảng: gateway, plans, notifications hoặc monitoring "
        "(hoặc một dịch vụ nameko dạng module:Class)."),
    "serve.process": ("gateway, plans, notifications, monitoring, or module:Class",
                      "gateway, plans, notifications, monitoring hoặc module:Class"),
    "serve.unknown_target": ("cannot serve {value!r}: {reason}",
                             "không chạy được {value!r}: {reason}"),
    "serve.bad": ("unknown process {value!r}; choose one of {choices} or module:Class",
                  "không có tiến trình {value!r}; chọn {choices} hoặc module:Class"),
    "create_admin": (
        "Create an admin user of the gateway, once. The password is asked twice on the "
        "terminal, or read from the environment variable named by --password-env; never an "
        "argument.",
        "Tạo một tài khoản quản trị của cổng API (một lần). Mật khẩu được hỏi hai lần trên "
        "màn hình, hoặc đọc từ biến môi trường do --password-env chỉ định; không bao giờ là "
        "tham số dòng lệnh."),
    "create_admin.username": ("the admin's username (a-z, 0-9, . _ -)",
                              "tên đăng nhập (a-z, 0-9, . _ -)"),
    "create_admin.password_env": ("read the password from this environment variable",
                                  "đọc mật khẩu từ biến môi trường này"),
    "create_admin.bad_username": ("must match {pattern}", "phải khớp mẫu {pattern}"),
    "create_admin.weak": ("{advice}",
                          "mật khẩu quá dễ đoán ({reason}). Hãy chọn một cụm dài gồm vài từ "
                          "không liên quan mà chỉ bạn ghép lại, không phải một từ quen thuộc "
                          "thêm vài chữ số hay ký hiệu."),
    "create_admin.created": ("admin {name} created", "đã tạo quản trị viên {name}"),
    "create_admin.exists": ("user {name} exists: nothing changed",
                            "người dùng {name} đã có: không thay đổi gì"),
    "import_plan": (
        "Import plan files (YAML or JSON, docs/plan-import-format.md) into the "
        "plans service, with a progress bar. Importing a file again changes nothing.",
        "Nhập các tệp kế hoạch (YAML hoặc JSON, docs/plan-import-format.md) vào "
        "dịch vụ kế hoạch, có thanh tiến độ. Nhập lại cùng một tệp không thay đổi gì."),
    "import_plan.files": ("plan files to import", "các tệp kế hoạch cần nhập"),
    "import_plan.issue": ("issue each plan once imported", "ban hành kế hoạch sau khi nhập"),
    "import_plan.progress": ("importing plans", "đang nhập kế hoạch"),
    "import_plan.done": ("{file}: plan {number} ({plan_id}), {tasks} tasks, {what}",
                         "{file}: kế hoạch {number} ({plan_id}), {tasks} nhiệm vụ, {what}"),
    "import_plan.created": ("imported", "đã nhập"),
    "import_plan.unchanged": ("already imported, unchanged", "đã nhập trước đó, không đổi"),
    "import_plan.failed": ("{file}: {message}", "{file}: {message}"),
    "import_plan.not_issued": (
        "{file}: plan {number} ({plan_id}) was imported but not issued: {message}",
        "{file}: kế hoạch {number} ({plan_id}) đã được nhập nhưng chưa ban hành: {message}"),
    "import_plan.issued": ("issued", "đã ban hành"),
    "dead_letters": ("Inspect and replay dead letters (events a consumer failed to handle).",
                     "Xem và xử lý lại thư chết (sự kiện mà dịch vụ nhận chưa xử lý được)."),
    "dead_letters.list": (
        "List the dead letters of a service as JSON (or a table with --table).",
        "Liệt kê thư chết của một dịch vụ dạng JSON (hoặc bảng với --table)."),
    "dead_letters.replay": (
        "Hand dead letters back to their handlers, in batches, with a progress bar; prints "
        "the outcome of each.",
        "Chuyển lại thư chết cho bộ xử lý theo từng lô, có thanh tiến độ; in kết quả của "
        "từng thư."),
    "dead_letters.service": ("the consuming service", "dịch vụ nhận sự kiện"),
    "dead_letters.status": ("pending or replayed",
                            "pending (đang chờ) hoặc replayed (đã xử lý lại)"),
    "dead_letters.limit": ("at most this many (1-1000)", "tối đa bấy nhiêu (1-1000)"),
    "dead_letters.table": ("a table for people instead of JSON",
                           "in dạng bảng cho người đọc thay cho JSON"),
    "dead_letters.ids": ("dead-letter ids", "mã thư chết"),
    "dead_letters.all": ("every pending dead letter", "mọi thư chết đang chờ"),
    "dead_letters.batch": ("ids per call", "số thư mỗi lần gọi"),
    "dead_letters.none": ("name dead-letter ids or use --all",
                          "hãy nêu mã thư chết hoặc dùng --all"),
    "dead_letters.ids_and_all": ("name dead-letter ids or use --all, not both",
                                 "nêu mã thư chết hoặc dùng --all, không dùng cả hai"),
    "dead_letters.not_found": ("no dead letter {ids} in {service}",
                               "không có thư chết {ids} trong {service}"),
    "dead_letters.progress": ("replaying dead letters", "đang xử lý lại thư chết"),
    "event_status": ("How each consuming service processed one event.",
                     "Mỗi dịch vụ nhận đã xử lý một sự kiện như thế nào."),
    "event_status.event_id": ("the event's id", "mã sự kiện"),
    "rotate_secret": (
        "Rotate a secret. jwt: print a new AUTH_JWT_SECRET (set it on every gateway and "
        "restart; tokens signed before are refused, so people sign in again; API keys are "
        "unaffected). ack-link: print a new ACK_LINK_SECRET for notifications (links already "
        "sent stop working; units acknowledge in the app instead). webhook: give a "
        "subscription (or --all) a new signing secret; the previous one keeps signing for "
        "WEBHOOK_SECRET_GRACE_SECONDS. unit-webhook: a new secret for one unit's webhook "
        "channel in notifications (no grace period: tell the unit first).",
        "Thay khóa bí mật. jwt: in AUTH_JWT_SECRET mới (đặt cho mọi cổng API rồi khởi động "
        "lại; token cũ bị từ chối nên người dùng đăng nhập lại; khóa API không bị ảnh hưởng). "
        "ack-link: in ACK_LINK_SECRET mới cho dịch vụ thông báo (đường dẫn xác nhận đã gửi "
        "hết hiệu lực; đơn vị xác nhận trong ứng dụng). webhook: cấp khóa ký mới cho một đăng "
        "ký (hoặc --all); khóa cũ vẫn ký thêm WEBHOOK_SECRET_GRACE_SECONDS giây. "
        "unit-webhook: khóa mới cho kênh webhook của một đơn vị trong dịch vụ thông báo "
        "(không có thời gian chuyển tiếp: báo đơn vị trước)."),
    "rotate_secret.which": ("jwt, ack-link, webhook or unit-webhook",
                            "jwt, ack-link, webhook hoặc unit-webhook"),
    "rotate_secret.env_file": (
        "write the new value into this env file (replacing the variable) instead of printing "
        "it", "ghi giá trị mới vào tệp env này (thay biến cũ) thay vì in ra"),
    "rotate_secret.subscription": ("the webhook subscription's id", "mã đăng ký webhook"),
    "rotate_secret.all": ("every active subscription", "mọi đăng ký đang hoạt động"),
    "rotate_secret.unit": ("the unit whose webhook secret changes",
                           "đơn vị cần đổi khóa webhook"),
    "rotate_secret.need_target": ("webhook needs --subscription ID or --all",
                                  "webhook cần --subscription ID hoặc --all"),
    "rotate_secret.need_unit": ("unit-webhook needs --unit ID", "unit-webhook cần --unit ID"),
    "rotate_secret.written": ("{name} written to {path}; restart {who} to use it",
                              "đã ghi {name} vào {path}; khởi động lại {who} để áp dụng"),
    "rotate_secret.next": (
        "Set {name} to this value on every {who} and restart them: {effect}",
        "Đặt {name} bằng giá trị này cho mọi {who} rồi khởi động lại: {effect}"),
    "rotate_secret.jwt_effect": ("tokens issued before are refused; people sign in again.",
                                 "token cấp trước đó bị từ chối; người dùng đăng nhập lại."),
    "rotate_secret.ack_effect": ("acknowledgement links already sent stop working.",
                                 "đường dẫn xác nhận đã gửi hết hiệu lực."),
    "rotate_secret.revoke_previous": (
        "webhook: stop signing with the previous secrets now (a leaked secret) instead of "
        "after the grace period",
        "webhook: ngừng ký bằng các khóa cũ ngay (khóa bị lộ) thay vì sau thời gian ân hạn"),
    "rotate_secret.progress": ("rotating webhook secrets", "đang thay khóa webhook"),
    "rotate_secret.not_found": ("no subscription {id}", "không có đăng ký {id}"),
    "error.unavailable": ("cannot reach {what}: {detail}", "không kết nối được {what}: {detail}"),
    "error.service": ("{service} answered {code}: {message}",
                      "{service} trả lời {code}: {message}"),
}


def language() -> str:
    return "vi" if os.environ.get("CAMPAIGN_LANG", "").lower().startswith("vi") else "en"


def text(key: str, **values: object) -> str:
    english, vietnamese = TEXTS[key]
    chosen = vietnamese if language() == "vi" else english
    return chosen.format(**values) if values else chosen


def short(key: str) -> str:
    """The first sentence, for the list of commands."""
    return text(key).split(". ")[0].split(": ")[0].rstrip(".")


def help_text(key: str) -> str:
    """A command's help, followed by where to read it in the other language."""
    return f"{text(key)}\n\n{text('other_language')}"
