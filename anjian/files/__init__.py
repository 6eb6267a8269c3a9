"""The one kit for uploaded files (photos, documents, evidence) of every module.

* ``checks.check_upload`` -- type by content, size, decompression bombs, polyglots, PDF structure;
  every refusal a sentence (``UploadRefused``, a ``ValidationError``).
* ``fields.AttachmentField`` / ``fields.PhotoField`` -- a model file field stored privately
  (``storage.PrivateStorage``), checked again when saved, whose ``.url`` is the scoped view.
* ``views.serve`` -- ``/files/<app>.<model>/<pk>/<field>/``: the owning object is read through
  ``visible_to(user)`` (404 otherwise), then streamed or handed to nginx (``X-Accel-Redirect``).
* ``thumbnails`` -- a small JPEG of a photo, made once and kept beside the files.
"""
