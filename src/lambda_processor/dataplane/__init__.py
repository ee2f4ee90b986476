"""The Lambda data plane: event sources, the invoker, and what results turn into.

    sqs_poller / push_delivery / scheduler --> invoker --> execution environments
    invocation results --> queue actions, async retries and DLQ, logs, metrics
"""
