package io.meshform.engine.plan;

import io.meshform.engine.diag.Diagnostic;
import io.meshform.engine.spi.PlanCheck;

/** One diagnostic of a plan or drift check, with the check that said it and what its findings mean. */
public record CheckFinding(String check, PlanCheck.Concern concern, Diagnostic diagnostic) {
}
