package dev.juggler.inference.openpose;

import dev.juggler.inference.pose.PoseFrame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One OpenPose keypoint file with everything in it: the version it declares, every person with face and
 * hands, and the optional {@code part_candidates} (one map from body part number to its flat
 * {@code x, y, score} candidates). Read with {@link OpenPoseJson#readDocument}, written (as 1.3) with
 * {@link OpenPoseJson#toJson(OpenPoseDocument)}.
 *
 * <p>Immutable and thread-safe; equality compares all numbers.
 *
 * @param version the declared version as written ({@code "1.3"}), or empty if the file has none
 * @param people the people, in file order
 * @param partCandidates the part candidates, or empty if the file has none
 */
public record OpenPoseDocument(Optional<String> version, List<OpenPosePerson> people,
        Optional<List<Map<String, float[]>>> partCandidates) {

    /** Copies everything in. */
    public OpenPoseDocument {
        Objects.requireNonNull(version, "version");
        people = List.copyOf(Objects.requireNonNull(people, "people"));
        partCandidates = Objects.requireNonNull(partCandidates, "partCandidates").map(OpenPoseDocument::copy);
    }

    /** A 1.3 document of body-only people. */
    public static OpenPoseDocument of(PoseFrame frame) {
        return new OpenPoseDocument(Optional.of(OpenPoseJson.VERSION),
                frame.people().stream().map(OpenPosePerson::of).toList(), Optional.empty());
    }

    /** The body poses only. */
    public PoseFrame toPoseFrame() {
        return new PoseFrame(people.stream().map(OpenPosePerson::toPerson).toList());
    }

    private static List<Map<String, float[]>> copy(List<Map<String, float[]>> in) {
        List<Map<String, float[]>> out = new ArrayList<>(in.size());
        for (Map<String, float[]> m : in) {
            Map<String, float[]> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(Objects.requireNonNull(k, "part"), v.clone()));
            out.add(java.util.Collections.unmodifiableMap(c));
        }
        return List.copyOf(out);
    }

    /**
     * The first difference in data between this document and {@code other} (people, ids, every number,
     * part candidates; the version is not data), or empty if they hold the same data.
     */
    public Optional<String> firstDifference(OpenPoseDocument other) {
        if (people.size() != other.people.size()) {
            return Optional.of("people: " + people.size() + " vs " + other.people.size());
        }
        for (int i = 0; i < people.size(); i++) {
            OpenPosePerson a = people.get(i);
            OpenPosePerson b = other.people.get(i);
            if (a.personId() != b.personId()) {
                return Optional.of("people[" + i + "].person_id: " + a.personId() + " vs " + b.personId());
            }
            for (int f = 0; f < OpenPosePerson.FIELDS.size(); f++) {
                Optional<String> d = diff("people[" + i + "]." + OpenPosePerson.FIELDS.get(f), a.part(f), b.part(f));
                if (d.isPresent()) {
                    return d;
                }
            }
        }
        List<Map<String, float[]>> ca = partCandidates.orElse(List.of());
        List<Map<String, float[]>> cb = other.partCandidates.orElse(List.of());
        if (ca.size() != cb.size()) {
            return Optional.of("part_candidates: " + ca.size() + " vs " + cb.size() + " entries");
        }
        for (int i = 0; i < ca.size(); i++) {
            if (!ca.get(i).keySet().equals(cb.get(i).keySet())) {
                return Optional.of("part_candidates[" + i + "] parts: " + ca.get(i).keySet() + " vs " + cb.get(i).keySet());
            }
            for (String part : ca.get(i).keySet()) {
                Optional<String> d = diff("part_candidates[" + i + "]." + part, ca.get(i).get(part), cb.get(i).get(part));
                if (d.isPresent()) {
                    return d;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> diff(String where, float[] a, float[] b) {
        if (a.length != b.length) {
            return Optional.of(where + ": " + a.length + " vs " + b.length + " values");
        }
        for (int k = 0; k < a.length; k++) {
            // Bitwise, as Float.equals and the people's hashCode compare: equal documents hash equally.
            if (Float.floatToIntBits(a[k]) != Float.floatToIntBits(b[k])) {
                return Optional.of(where + "[" + k + "]: " + a[k] + " vs " + b[k]);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OpenPoseDocument d && version.equals(d.version) && firstDifference(d).isEmpty();
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, people, partCandidates.map(List::size).orElse(-1));
    }

    @Override
    public String toString() {
        return "OpenPoseDocument[version=" + version.orElse("none") + ", people=" + people
                + partCandidates.map(c -> ", part_candidates=" + c.size()).orElse("") + "]";
    }
}
