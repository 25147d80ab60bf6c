"""Errors the engine reports: bad input names its field; a broken KB names its shape."""


class CaseError(ValueError):
    """Bad input: `field` is the path of the offending field (``claims[1].discharged``)."""

    def __init__(self, field: str, message: str):
        super().__init__(field, message)  # both kept in args: picklable across batch workers
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def as_json(self) -> dict:
        return {"error": {"field": self.field, "message": self.message}}


class KBError(RuntimeError):
    """The knowledge base breaks a SHACL shape or a reference does not resolve."""


class EngineFailure(RuntimeError):
    """The engine failed on a case it accepted: a defect, never the caller's fault. In a batch it
    is that case's own error record (the rest of its chunk is solved); `medaid evaluate` exits 1."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @classmethod
    def of(cls, exc: BaseException) -> "EngineFailure":
        return cls(f"{type(exc).__name__}: {exc}"[:500])

    def __str__(self) -> str:
        return f"the engine failed on this case: {self.message}"

    def as_json(self) -> dict:
        return {"error": {"field": "", "message": str(self), "kind": "engine_failure"}}
