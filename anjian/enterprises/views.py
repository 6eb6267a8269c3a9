from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from anjian.utilities.scoping import get_visible_or_404

from .models import Enterprise


@login_required
def enterprise_list(request):  # replaced by the full registry views
    return HttpResponse(str(Enterprise.objects.visible_to(request.user).count()))


@login_required
def enterprise_detail(request, pk):
    e = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    return HttpResponse(e.name)
