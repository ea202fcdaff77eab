"""The ASGI entry point: the donation hot path (giving.intake) in front of Django."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonweal.settings")
django_application = get_asgi_application()

from commonweal.giving.intake import front  # noqa: E402 - needs the apps loaded above

application = front(django_application)
