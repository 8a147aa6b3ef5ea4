from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import NotificationKind
from core.notifications import selectors as notification_selectors
from core.notifications import services as notification_services
from core.parsers import BoundedJSONParser
from core.requests import signed_in_user
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


class NotificationSerializer(serializers.Serializer):
    """A notification with its words in the request's language."""

    class Meta:
        ref_name = "Notification"

    id = serializers.IntegerField(source="notification.pk")
    kind = serializers.ChoiceField(source="notification.kind", choices=NotificationKind.choices)
    title = serializers.CharField(source="text.title")
    body = serializers.CharField(source="text.body")
    link = serializers.CharField(source="text.link", help_text="a path on this site, or empty")
    params = serializers.DictField(source="notification.params", help_text="the facts the text is made from")
    created_at = serializers.DateTimeField(source="notification.created_at")
    read_at = serializers.DateTimeField(source="notification.read_at", allow_null=True)


class MyNotificationsApi(APIView):
    pagination_class = PageNumberPagination

    @extend_schema(
        responses={200: NotificationSerializer(many=True)},
        summary="My notifications, newest first",
        parameters=[
            OpenApiParameter("unread", bool, description="true: only the notifications not read yet"),
        ],
    )
    def get(self, request: Request) -> Response:
        notifications = notification_selectors.notifications_for_person(person=signed_in_user(request))
        if request.query_params.get("unread") in ("1", "true"):
            notifications = notifications.filter(read_at__isnull=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(notifications, request, view=self)
        shown = notification_selectors.notifications_shown(list(page or []))
        return paginator.get_paginated_response(NotificationSerializer(shown, many=True).data)


class MyNotificationReadApi(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        request=None, responses={200: NotificationSerializer}, summary="Mark one notification read"
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = notification_services.notification_mark_read(
            person=signed_in_user(request), notification_id=pk
        )
        if notification is None:
            raise NotFound(_("Not found."))
        return Response(
            NotificationSerializer(notification_selectors.notifications_shown([notification])[0]).data
        )


class MyNotificationsReadAllApi(APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        request=None,
        responses={200: inline_serializer("NotificationsMarkedRead", {"marked": serializers.IntegerField()})},
        summary="Mark all my notifications read",
    )
    def post(self, request: Request) -> Response:
        return Response(
            {"marked": notification_services.notifications_mark_all_read(person=signed_in_user(request))}
        )
