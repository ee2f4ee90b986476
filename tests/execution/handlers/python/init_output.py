print("printed during init")


def handler(event, context):
    print("printed during invoke")
    return 1
