from onewindow.catalog.templatetags.onewindow_ui import message_links


def test_addresses_become_links_and_everything_else_is_escaped():
    text = "进度：https://a.example/p/44010?x=1&y=2 <b>回复</b>"
    assert message_links(text) == (
        '进度：<a href="https://a.example/p/44010?x=1&amp;y=2">https://a.example/p/44010?x=1&amp;y=2</a>'
        " &lt;b&gt;回复&lt;/b&gt;"
    )


def test_a_text_without_an_address_is_only_escaped():
    assert message_links('您的申请已受理。"javascript:alert(1)"') == (
        "您的申请已受理。&quot;javascript:alert(1)&quot;"
    )
    assert message_links(None) == ""
