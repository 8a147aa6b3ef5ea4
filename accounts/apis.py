from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.throttles import SignUpThrottle

from . import services


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    # The sign-up page's per-address count as well as the API's defaults.
    throttle_classes = [*APIView.throttle_classes, SignUpThrottle]

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "RegisterInput"

        username = serializers.CharField(max_length=150)
        email = serializers.EmailField()
        # A password is kept exactly as typed, as Django's login form reads it.
        password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "RegisteredUser"

        id = serializers.IntegerField()
        username = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.consumer_register(**serializer.validated_data)
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "TokenRequest"

        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with the credentials given."]}
            )
        # A new token at each sign-in: only hashes are kept, so an earlier key cannot be shown again.
        return Response({"token": services.api_token_issue(user=user)})
