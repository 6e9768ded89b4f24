from clerk_app.services import members as ms
from tests.conftest import make_id


def test_register_and_find(ctx, member_input):
    result = ms.register_member(ctx, member_input(name="单田芳", id_number=make_id(seq="555")))
    found = ms.search(ctx, "stf")
    assert [m.id for m in found] == [result.member_id]
