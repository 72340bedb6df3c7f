"""The reference's integration patterns: registration, dependency resolution, graceful shutdown and
resource reporting (:mod:`tekton.utils.tekton_registration`, :mod:`tekton.utils.tekton_client`)."""
