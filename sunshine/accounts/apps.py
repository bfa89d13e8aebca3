from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sunshine.accounts"
    label = "accounts"

    def ready(self) -> None:
        from sunshine.accounts import staff_login  # connects the log-in audit

        staff_login.protect_admin_site()
