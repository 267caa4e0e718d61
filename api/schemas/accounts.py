"""Accounts: sign-in with a second factor, passwords, one-time links, sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta, Struct

from api.schemas.common import Base
from api.schemas.organisation import StaffRead

# Length and strength are judged by the service, which says why in words.
NewPassword = Annotated[str, Meta(min_length=1, max_length=200)]
AnyPassword = Annotated[str, Meta(min_length=1, max_length=200)]
Secret = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
Code = Annotated[str, Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9 -]+$",
                           description="six digits from the authenticator app, or a recovery code",
                           examples=["123456", "abcd-efgh-jkmn"])]
EmailText = Annotated[str, Meta(min_length=3, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]


class MfaRequired(Struct):
    """The password was right; finish with ``POST /api/auth/login/mfa``. With
    ``enrolment_required`` the person must first set up an authenticator:
    ``POST /api/auth/login/mfa/enrol`` shows the QR code, and the first code finishes both."""

    mfa_required: bool
    mfa_token: str
    expires_at: datetime
    enrolment_required: bool


class MfaLoginIn(Base):
    mfa_token: Secret
    code: Code


class MfaLoginEnrolIn(Base):
    mfa_token: Secret


class LoginWithCodesOut(Struct):
    token: str
    expires_at: datetime
    staff_id: int
    # Only when this sign-in finished setting up two-factor sign-in: shown this once.
    recovery_codes: list[str] | None = None


class PasswordChangeIn(Base):
    current_password: AnyPassword
    new_password: NewPassword


class LinkUseIn(Base):
    token: Secret
    password: NewPassword


class ResetRequestIn(Base):
    email: EmailText


class Accepted(Struct):
    detail: str


class LinkOut(Struct):
    url: str
    expires_at: datetime


class InvitationOut(Struct):
    invitation_url: str
    expires_at: datetime


class ResetLinkOut(Struct):
    reset_url: str
    expires_at: datetime


class StaffCreated(StaffRead):
    """A new account. Without a password it is invited: pass ``invitation_url`` on to the
    person (it works once, until ``invitation_expires_at``)."""

    invitation_url: str | None = None
    invitation_expires_at: datetime | None = None


class MfaStatus(Struct):
    enrolled: bool
    enrolled_at: datetime | None
    pending: bool
    recovery_codes_left: int
    required: bool


class MfaSetupIn(Base):
    # Needed only to replace an authenticator already in use.
    password: AnyPassword | None = None


class MfaSetup(Struct):
    """Scan the QR code (or type ``secret``) in an authenticator app, then confirm with a code."""

    secret: str
    otpauth_uri: str
    qr_svg: str
    qr_png_data_uri: str


class MfaCodeIn(Base):
    code: Code


class MfaDisableIn(Base):
    password: AnyPassword


class RecoveryCodes(Struct):
    """Shown once: each code signs in once in place of the app. Keep them somewhere safe."""

    recovery_codes: list[str]


class SessionRead(Struct):
    id: int
    kind: Literal["api", "session"]
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


class SessionList(Struct):
    items: list[SessionRead]
