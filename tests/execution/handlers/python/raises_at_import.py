raise RuntimeError("config missing at import time")


def handler(event, context):
    return 1
