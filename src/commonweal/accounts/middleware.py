"""Operators must enrol TOTP before they can use the back office."""

from allauth.mfa.models import Authenticator
from django.shortcuts import redirect

BACK_OFFICE_PREFIXES = ("/admin/",)
TOTP_SETUP_PATH = "/accounts/2fa/totp/activate/"


class OperatorMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            request.path.startswith(BACK_OFFICE_PREFIXES)
            and user.is_authenticated
            and user.is_staff
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(TOTP_SETUP_PATH)
        return self.get_response(request)
