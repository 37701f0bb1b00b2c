package io.meshform.state;

/**
 * One thing wrong with a backend's settings.
 *
 * @param key the setting at fault, or null when the problem is the block as a whole (e.g. a required key missing)
 * @param message what is wrong
 * @param hint what to write instead
 */
public record SettingProblem(String key, String message, String hint) {
}
