"""One structured log line per rejected request (status 4xx), with no personal data."""

import logging

logger = logging.getLogger("commonweal.requests")


class RejectedRequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API logs its own rejections with their error code.
        if 400 <= response.status_code < 500 and not request.path.startswith("/api/"):
            # Method and path only (repr, so a crafted path cannot split the line): query
            # strings and bodies may hold personal data.
            logger.info("request_rejected method=%s path=%r status=%s", request.method, request.path, response.status_code)
        return response
