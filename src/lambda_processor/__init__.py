"""lambda-processor: the Lambda Processor Messaging Addon and its local runtime."""

__version__ = "0.1.0"
