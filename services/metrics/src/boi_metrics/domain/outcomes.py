"""What an operator records about a call's results: aggregates only, never who applied or was selected."""

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Outcome(BaseModel):
    """Known results of one call, and where the office learned them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    applications: int | None = Field(default=None, ge=0, le=10_000_000, description="Applications known")
    selected: int | None = Field(default=None, ge=0, le=10_000_000, description="People or entities selected")
    amount_cop: float | None = Field(default=None, ge=0, le=1e13, description="Amount obtained, in COP")
    source: str = Field(min_length=3, max_length=200, description="Where the figures come from")
    recorded_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("source")
    @classmethod
    def no_contact_data(cls, value: str) -> str:
        if "@" in value:
            raise ValueError(
                "no escribas correos ni datos de contacto en la fuente: solo de dónde salió la cifra"
            )
        return value.strip()

    @model_validator(mode="after")
    def selected_within_applications(self) -> "Outcome":
        if self.applications is not None and self.selected is not None and self.selected > self.applications:
            raise ValueError("las personas seleccionadas no pueden ser más que las postulaciones")
        return self
