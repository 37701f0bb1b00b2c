package io.meshform.state;

/** One thing wrong in a state document, located by a JSON path like {@code resources[2].type}. */
final class FormatProblem extends RuntimeException {

    FormatProblem(String problem) {
        super(problem, null, false, false);
    }
}
