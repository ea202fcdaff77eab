"""The floor of bench/matching_load.py (``--floor``): an ASGI application that answers the two
donation requests without doing anything (no Django, no database). Served by granian exactly as
the real server is, it measures what HTTP and the load generator cost on their own."""

import itertools

_ids = itertools.count()


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            if message["type"] == "lifespan.shutdown":
                return
    while (await receive()).get("more_body"):  # the body, as a real handler must read it
        pass
    if scope["path"].endswith("/notify"):
        status, body = 200, b"success"
    else:
        status, body = 201, b'{"public_id":"%026d"}' % next(_ids)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})
