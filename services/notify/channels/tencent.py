"""SMS through Tencent Cloud SMS (腾讯云短信), with Tencent's own SDK
(tencentcloud-sdk-python-sms). Mainland SMS goes only through templates the provider has
approved: each message kind names its template id (`NOTIFY_SMS_TEMPLATES`) and fills it
with the kind's parameters in order (services/notify/domain.py, `Kind.sms_params`). The
credentials come from the environment (`TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`).

Tencent's API takes no idempotency key: the message's key travels as `SessionContext` and
comes back in the delivery receipt, but a message sent again after a crash between the send
and its record reaches the phone twice.
"""
from __future__ import annotations

import json

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from services.notify.channels.base import Adapter, DeliveryFailed, Outgoing

# Error codes after which sending the same again cannot succeed.
PERMANENT = ("AuthFailure", "UnauthorizedOperation", "InvalidParameter", "FailedOperation",
             "UnsupportedOperation", "MissingParameter")


class TencentSmsAdapter(Adapter):
    channel = "sms"
    name = "tencent"

    def __init__(self, secret_id: str, secret_key: str, app_id: str, sign_name: str,
                 templates: dict, region: str = "ap-guangzhou",
                 endpoint: str = "sms.tencentcloudapi.com", scheme: str = "https",
                 timeout: int = 10):
        profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme, endpoint=endpoint,
                                                        reqTimeout=timeout))
        self.client = sms_client.SmsClient(credential.Credential(secret_id, secret_key),
                                           region, profile)
        self.app_id, self.sign_name, self.templates = app_id, sign_name, templates

    @classmethod
    def from_config(cls, config: dict) -> "TencentSmsAdapter":
        templates = config.get("NOTIFY_SMS_TEMPLATES") or {}
        if isinstance(templates, str):
            templates = json.loads(templates)
        missing = [k for k in ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY",
                               "NOTIFY_SMS_APP_ID", "NOTIFY_SMS_SIGN_NAME") if not config.get(k)]
        if missing:
            raise ValueError(f"NOTIFY_SMS_CHANNEL=tencent needs {', '.join(missing)}")
        return cls(secret_id=config["TENCENTCLOUD_SECRET_ID"],
                   secret_key=config["TENCENTCLOUD_SECRET_KEY"],
                   app_id=str(config["NOTIFY_SMS_APP_ID"]),
                   sign_name=config["NOTIFY_SMS_SIGN_NAME"],
                   templates={k: str(v) for k, v in templates.items()},
                   region=config.get("NOTIFY_SMS_REGION") or "ap-guangzhou",
                   endpoint=config.get("NOTIFY_SMS_ENDPOINT") or "sms.tencentcloudapi.com",
                   scheme=config.get("NOTIFY_SMS_SCHEME") or "https",
                   timeout=int(config.get("NOTIFY_SMS_TIMEOUT") or 10))

    @staticmethod
    def e164(phone: str) -> str:
        return phone if phone.startswith("+") else f"+86{phone}"

    def send(self, outgoing: Outgoing) -> str:
        template = self.templates.get(outgoing.kind)
        if not template:
            raise DeliveryFailed("NO_TEMPLATE", f"未配置“{outgoing.kind}”的短信模板"
                                 "(NOTIFY_SMS_TEMPLATES)", permanent=True)
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [self.e164(outgoing.to)]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template
        request.TemplateParamSet = list(outgoing.rendered.sms_params)
        request.SessionContext = outgoing.key
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = error.get_code() or "SDK_ERROR"
            raise DeliveryFailed(f"TENCENT_{code}", error.get_message() or str(error),
                                 permanent=code.startswith(PERMANENT)) from None
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            raise DeliveryFailed("TENCENT_NO_STATUS", "短信平台没有返回发送状态")
        if status.Code != "Ok":
            raise DeliveryFailed(f"TENCENT_{status.Code}", status.Message or "",
                                 permanent=status.Code.startswith(PERMANENT))
        return status.SerialNo
