from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cities.directory.models import (
    City,
    Department,
    DepartmentKeyword,
    ExpertProfile,
    ExpertTopic,
    Topic,
    TopicKeyword,
    User,
)
from cities.directory.roles import Role


class DepartmentInline(admin.TabularInline):
    model = Department
    fields = ["name", "short_name", "email", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "federal_state", "is_network_member", "is_active", "department_count", "contacts"]
    list_filter = ["federal_state", "is_network_member", "is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DepartmentInline]

    def get_queryset(self, request: HttpRequest):
        contacts = User.objects.active().with_role(Role.CITY_CONTACT).order_by("display_name")
        return (
            super()
            .get_queryset(request)
            .annotate(_department_count=Count("departments"))
            .prefetch_related(Prefetch("users", queryset=contacts, to_attr="contact_persons"))
        )

    @admin.display(description=_("departments"), ordering="_department_count")
    def department_count(self, obj: City) -> int:
        return obj._department_count

    @admin.display(description=_("koopstadt contact persons"))
    def contacts(self, obj: City) -> str:
        return ", ".join(str(user) for user in obj.contact_persons) or "–"


class DepartmentKeywordInline(admin.TabularInline):
    model = DepartmentKeyword
    extra = 3


class MemberInline(admin.TabularInline):
    """The department's people; liaisons are the members with the liaison role."""

    model = User
    fk_name = "department"
    fields = ["display_name", "email", "is_active"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("member")
    verbose_name_plural = _("members (liaisons are members with the role 'Department liaison')")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "city", "email", "is_active", "liaisons"]
    list_filter = ["city", "is_active", "topics"]
    search_fields = ["name", "short_name", "parent_name", "keywords__term", "city__name"]
    list_select_related = ["city"]
    filter_horizontal = ["topics"]
    inlines = [DepartmentKeywordInline, MemberInline]

    def get_queryset(self, request: HttpRequest):
        liaisons = User.objects.active().with_role(Role.DEPARTMENT_LIAISON).order_by("display_name")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("members", queryset=liaisons, to_attr="liaison_list"))
        )

    @admin.display(description=_("department liaisons"))
    def liaisons(self, obj: Department) -> str:
        return ", ".join(str(user) for user in obj.liaison_list) or "–"


class TopicKeywordInline(admin.TabularInline):
    model = TopicKeyword
    extra = 3


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "is_active", "keyword_list"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en", "keywords__term"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TopicKeywordInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("keywords")

    @admin.display(description=_("keywords and synonyms"))
    def keyword_list(self, obj: Topic) -> str:
        return ", ".join(keyword.term for keyword in obj.keywords.all())


class ExpertTopicInline(admin.TabularInline):
    model = ExpertTopic
    extra = 1
    autocomplete_fields = ["topic"]


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "city", "department", "is_available", "max_exchanges_per_year"]
    list_filter = ["is_available", "user__home_city", "topics"]
    search_fields = ["user__display_name", "user__email", "experience", "position", "user__department__name"]
    list_select_related = ["user", "user__home_city", "user__department"]
    autocomplete_fields = ["user"]
    inlines = [ExpertTopicInline]

    @admin.display(description=_("city"), ordering="user__home_city__name")
    def city(self, obj: ExpertProfile) -> str:
        return str(obj.user.home_city or "–")

    @admin.display(description=_("department"), ordering="user__department__name")
    def department(self, obj: ExpertProfile) -> str:
        return obj.user.department.name if obj.user.department else "–"


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email", "display_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["display_name"]
    list_display = ["display_name", "email", "home_city", "department", "role_list", "is_active"]
    list_filter = ["is_active", "groups", "home_city", "is_staff"]
    search_fields = ["display_name", "email", "organisation", "department__name"]
    list_select_related = ["home_city", "department"]
    autocomplete_fields = ["department", "supervisor"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("display_name", "phone", "organisation", "preferred_language")}),
        # The supervisor approves the person's business trips (docs/travel-costs.md, "Trip request").
        (_("City and department"), {"fields": ("home_city", "department", "supervisor")}),
        (_("Roles"), {"fields": ("groups", "is_active", "is_staff")}),
        (
            _("Administrator rights"),
            {"fields": ("is_superuser", "user_permissions"), "classes": ["collapse"]},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")}),
    )
    filter_horizontal = ["groups", "user_permissions"]
    # Further actions are added by the packages that own them (exchanges/privacy/admin.py: anonymise).
    actions: list = []

    def has_anonymise_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request: HttpRequest, obj: object = None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            # Only administrators hand out administrator rights.
            readonly += ["is_superuser", "user_permissions", "is_staff"]
        return readonly

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())
