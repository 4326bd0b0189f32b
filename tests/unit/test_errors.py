from server.errors import flatten_errors


def test_nested_validation_messages_become_field_paths():
    messages = {"json": {"residents": {2: {"id_number": ["Bad check character."]}}, "name": ["Missing."]}}
    assert flatten_errors(messages) == {"residents[2].id_number": ["Bad check character."], "name": ["Missing."]}


def test_query_and_body_locations_are_merged_and_a_broken_body_is_named():
    assert flatten_errors({"query": {"limit": ["Too big."]}}) == {"limit": ["Too big."]}
    assert flatten_errors({"json": ["Invalid JSON body."]}) == {"body": ["Invalid JSON body."]}
