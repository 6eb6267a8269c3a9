from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from anjian.utilities.scoping import get_visible_or_404

from .models import Hazard


@login_required
def hazard_list(request):
    return HttpResponse("")


@login_required
def hazard_detail(request, pk):
    h = get_visible_or_404(Hazard.all_objects.all(), request.user, pk=pk)
    return HttpResponse(str(h))
