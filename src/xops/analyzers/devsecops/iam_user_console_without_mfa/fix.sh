aws iam create-virtual-mfa-device --virtual-mfa-device-name {resource_id} --outfile {resource_id}-qr.png --bootstrap-method QRCodePNG
# After the user scans the QR code, two consecutive codes from their device:
CODE1=123456 CODE2=654321
aws iam enable-mfa-device --user-name {resource_id} --serial-number arn:aws:iam::{account_id}:mfa/{resource_id} --authentication-code1 "$CODE1" --authentication-code2 "$CODE2"
# or, if the user needs no console access:
aws iam delete-login-profile --user-name {resource_id}
