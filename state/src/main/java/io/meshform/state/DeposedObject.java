package io.meshform.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An object a resource no longer stands for but that may still be in the cluster (Terraform's "deposed" object,
 * internal/states/instance_object.go): a create-first replace (a move to another name or namespace) made the new object
 * and recorded it as the resource's, and the old one's delete has not gone through yet. Every plan deletes it, whatever
 * the stack now says about the resource, until it is gone or {@code meshform state rm} forgets it.
 *
 * @param key    tells apart the deposed objects of one address: 8 hex digits derived from the object's entry, so the
 *               same old object deposed again keeps its key (Terraform draws a random one; a derived key keeps a
 *               retried apply from recording the same object twice)
 * @param object the old object's state entry as it was recorded before the replace (its address is the resource's)
 */
public record DeposedObject(String key, ResourceState object) {

    public DeposedObject {
        if (key == null || !key.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("deposed key must be 8 lowercase hex digits, got " + key);
        }
        Objects.requireNonNull(object, "object");
    }

    /** The old object of a replace, under the key derived from its entry. */
    public static DeposedObject of(ResourceState old) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((old.address() + "\n" + old.type() + "\n" + old.attributes())
                    .getBytes(StandardCharsets.UTF_8));
            return new DeposedObject(HexFormat.of().formatHex(digest, 0, 4), old);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The address of the resource this object was recorded under. */
    public String address() {
        return object.address();
    }

    /** How the plan and {@code state list} name it: {@code <address> (deposed object <key>)}. */
    public String describe() {
        return address() + " (deposed object " + key + ")";
    }
}
