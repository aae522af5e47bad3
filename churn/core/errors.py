"""Error classes whose message is one plain sentence a user can act on.

Every failure a user can cause (a wrong file, a wrong column, an absurd
input) is raised as a subclass of :class:`ChurnError`. The UI shows
``str(error)`` as it is; the CLI prints ``error: <message>`` and exits 2.
"""


class ChurnError(Exception):
    """Base class: the message is shown to the user verbatim."""


class InputError(ChurnError):
    """The uploaded file cannot be read as a table (empty, binary, too large, bad encoding)."""


class SchemaError(ChurnError):
    """The table is readable but its columns do not fit (no id, one-class label, unknown column)."""


class ModelError(ChurnError):
    """A model cannot be trained or applied (too little data, no positives, missing features)."""


class ScenarioError(ChurnError):
    """An ROI or what-if input is out of range or inconsistent."""


class WorkspaceError(ChurnError):
    """A workspace, dataset, model or scenario does not exist or cannot be written."""


class ReportError(ChurnError):
    """The report (or its PDF) cannot be made; the message says why in one sentence."""
