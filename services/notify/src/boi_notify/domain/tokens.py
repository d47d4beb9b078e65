"""Signed, expiring links of the subscription emails (itsdangerous). A token names one action and one
subscriber or subscription; a changed or expired token is refused with a reason the page can show."""

from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class Purpose(StrEnum):
    CONFIRM = "confirmar"
    UNSUBSCRIBE = "baja"
    MANAGE = "gestionar"


class TokenError(ValueError):
    """A link that cannot be honoured; `expired` tells an old link from a tampered one."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


class Tokens:
    def __init__(self, secret: str, max_age_seconds: dict[Purpose, int]) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="boi-notify-subscriptions")
        self.max_age = max_age_seconds

    def make(self, purpose: Purpose, subject: str) -> str:
        return str(self.serializer.dumps([purpose.value, subject]))

    def read(self, purpose: Purpose, token: str) -> str:
        """The subject the token was made for; `TokenError` if expired, tampered or another action's"""
        try:
            value = self.serializer.loads(token, max_age=self.max_age[purpose])
        except SignatureExpired as exc:
            raise TokenError(expired=True) from exc
        except BadSignature as exc:
            raise TokenError(expired=False) from exc
        if not (isinstance(value, list) and len(value) == 2 and value[0] == purpose.value):
            raise TokenError(expired=False)
        return str(value[1])
