import layer_helper


def handler(event, context):
    return {"from_layer": layer_helper.VALUE}
