"""Known-answer vectors, copied from the sources named on each block (values verbatim)."""

# fmt: off

# wechatpy tests/test_crypto.py @ v1.8.18 (WeChat Work crypto): URL verification and decryption.
WECHATPY = {
    "token": "123456",
    "encoding_aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "corp_id": "wx49f0ab532d5d035a",
    "verify": {
        "msg_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
        "timestamp": "1411443780",
        "nonce": "437374425",
        "echostr": "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q==",
        "plaintext": "5927782489442352469",
        "wrong_nonce": "437374424"
    },
    "decrypt": {
        "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        "timestamp": "1411525903",
        "nonce": "461056294",
        "post_body": "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>",
        "plaintext": "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>"
    },
    "encrypt": {
        "random_prefix": "1234567890123456",
        "nonce": "461056294",
        "timestamp": "1411525903",
        "plaintext": "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>",
        "encrypt": "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3",
        "msg_signature": "407518b7649e86ef23978113f92d27afa9296533"
    }
}

# WeCom's official WXBizMsgCrypt sample (developer docs path/90968), receive id = corp id.
OFFICIAL = {
    "token": "QDG6eK",
    "encoding_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "corp_id": "wx5823bf96d3bd56c7",
    "verify": {
        "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
        "timestamp": "1409659589",
        "nonce": "263014780",
        "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
        "plaintext": "1616140317555161061"
    },
    "decrypt": {
        "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
        "timestamp": "1409659813",
        "nonce": "1372623149",
        "Encrypt": "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==",
        "plaintext": "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<FromUserName><![CDATA[mycreate]]></FromUserName>\n<CreateTime>1409659813</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[hello]]></Content>\n<MsgId>4561255354251345929</MsgId>\n<AgentID>218</AgentID>\n</xml>"
    }
}

# Self-generated 智能机器人 JSON vectors, receive id "" (not official: wechatpy 1.8.18 and an
# independent AES implementation of the official demo algorithm agree on them byte for byte).
AIBOT = {
    "token": "123456",
    "encoding_aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "random_prefix": "1234567890123456",
    "verify": {
        "msg_signature": "6a495f1ec2aec11e05cbfcf219806073d644f636",
        "timestamp": "1700000001",
        "nonce": "nonce456",
        "echostr": "9s4gMv99m88kKTh/H8IdkOS5Ow8CHcScNIOmy3aJyWVpzoK/YnSRhJYNwks3xrVbM02ATIXsPfSC2IOcgDubfg==",
        "expected_plaintext": "1616140317555161061"
    },
    "callback": {
        "msg_signature": "10ae6803f2fd1bf08f5ae270b724eb5ce0c0082d",
        "timestamp": "1700000000",
        "nonce": "nonce123",
        "post_body": {
            "encrypt": "9s4gMv99m88kKTh/H8IdkGf9PymvhYVV/h3etgiXIZEsVvL/oqY3Ar90j8mZXiLCRiYXADHsVab2L5Y9qiJYtmsBQRfVmiQRh8CAgc11oV6ca9/hI95HcR8FxFFtd48eoflWRJt3Ct9ovWjNNpFwOhv6Rf7lGZVp9FGik+yfhqWlkktlZNWkdu0H6uN7AGtQVODJMYzkY88NQvKAvw96uPhbQwx/05zmWrEURcggIxjyWn+l5BPaKxOdL2FALEfeVNIUQu2ZHymnGruyxwzjQ+N3fEwqu8jXrzVfQaewkU4rorWtuOf8TuBj443g1bPM6VMqvTSakfRhN27ePCCDV6oEhDf+0Xatmccih3Qu9hykpz/NDE7F1FXCEi0JTo9JGst+6UMcBeCb+ORh2rFWX0qTavtf2rNm5uP+ZhTcWkA="
        },
        "expected_plaintext": "{\"msgid\":\"CAIQ16HMjQYY/NGagIOAgAMgq4KM0AI=\",\"aibotid\":\"AIBOTID\",\"chatid\":\"CHATID\",\"chattype\":\"group\",\"from\":{\"userid\":\"zhangsan\"},\"response_url\":\"https://qyapi.weixin.qq.com/cgi-bin/aibot/response?response_code=RESPONSE_CODE\",\"msgtype\":\"text\",\"text\":{\"content\":\"@机器人 订单123 焊接完成\"}}"
    },
    "passive_reply": {
        "plaintext": "{\"msgtype\":\"stream\",\"stream\":{\"id\":\"STREAMID\",\"finish\":true,\"content\":\"已记录：订单123 焊接完成\"}}",
        "response_body": {
            "encrypt": "9s4gMv99m88kKTh/H8IdkH6WDkwm0GqED0Xob1pYiVv/YFixbtjpPuALu723o9hyPy0qMb63uOKs5tBKTsecEfhc4nMdCpqYr+A77kmDnc55mQMxdVuaWeECq+DorZwbTP7jY8ky5P2wtvMetjLdYSxsobQJtdVlf5klNO1zoo2H+QaQMbvVtpRjzZQXV9sMxRTHJD2Qc8Pwr7OOS036VQ==",
            "msgsignature": "66404be4aa97e1a9978945f831ed790dddb70b0f",
            "timestamp": 1700000002,
            "nonce": "nonce123"
        }
    }
}
