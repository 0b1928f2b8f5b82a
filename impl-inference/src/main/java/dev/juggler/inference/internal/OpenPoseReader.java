package dev.juggler.inference.internal;

import dev.juggler.inference.openpose.OpenPoseDocument;
import dev.juggler.inference.openpose.OpenPosePerson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.juggler.inference.openpose.OpenPoseFormatException;
import dev.juggler.inference.pose.Person;
import dev.juggler.inference.pose.PoseFrame;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming reader for OpenPose keypoint JSON. Accepts the field names of all writer versions (0.1
 * {@code body_parts} or {@code pose_keypoints}, 1.0-1.1 {@code pose_keypoints}, 1.2+
 * {@code pose_keypoints_2d}, 1.3+ {@code person_id}); it validates every
 * array it meets (2D: multiples of 3, 3D: multiples of 4, all finite) even for parts that
 * {@link PoseFrame} does not carry yet, so that a document accepted now stays accepted when the
 * value types grow faces and hands. Unknown fields are skipped. Thread-safe (the factory is shared,
 * each call has its own parser).
 */
public final class OpenPoseReader {

    // NaN/Infinity are parsed (not rejected by the tokenizer) so that the error can name where they are.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private OpenPoseReader() {
    }

    /** Parses one document's body poses; {@code source} names it in errors. */
    public static PoseFrame read(Reader in, String source) {
        return readFull(in, source).toPoseFrame();
    }

    /** Parses one document with everything in it; {@code source} names it in errors. */
    public static OpenPoseDocument readFull(Reader in, String source) {
        try (JsonParser p = JSON.createParser(in)) {
            OpenPoseDocument frame = readDocument(p, source);
            if (p.nextToken() != null) {
                throw error(source, p, "unexpected content after the top-level object");
            }
            return frame;
        } catch (JsonProcessingException e) {
            throw new OpenPoseFormatException(source, "not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new OpenPoseFormatException(source, "could not be read: " + e, e);
        }
    }

    private static OpenPoseDocument readDocument(JsonParser p, String source) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw error(source, p, "expected a JSON object at the top level");
        }
        List<OpenPosePerson> people = null;
        String version = null;
        List<Map<String, float[]>> candidates = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "version":
                    if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_STRING) {
                        throw error(source, p, "\"version\" must be a number");
                    }
                    version = p.getText();
                    break;
                case "part_candidates":
                    candidates = readCandidates(p, t, source);
                    break;
                case "people":
                    if (t != JsonToken.START_ARRAY) {
                        throw error(source, p, "\"people\" must be an array");
                    }
                    people = readPeople(p, source);
                    break;
                default:
                    p.skipChildren(); // anything newer
                    break;
            }
        }
        if (people == null) {
            throw error(source, p, "no \"people\" array");
        }
        return new OpenPoseDocument(Optional.ofNullable(version), people, Optional.ofNullable(candidates));
    }

    private static List<Map<String, float[]>> readCandidates(JsonParser p, JsonToken t, String source) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw error(source, p, "\"part_candidates\" must be an array of objects");
        }
        List<Map<String, float[]>> all = new ArrayList<>();
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String where = "part_candidates[" + all.size() + "]";
            if (t != JsonToken.START_OBJECT) {
                throw error(source, p, where + " must be an object");
            }
            Map<String, float[]> parts = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String part = p.currentName();
                parts.put(part, readFloats(p, p.nextToken(), source, where, part, 3));
            }
            all.add(parts);
        }
        return all;
    }

    private static List<OpenPosePerson> readPeople(JsonParser p, String source) throws IOException {
        List<OpenPosePerson> people = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_OBJECT) {
                throw error(source, p, "people[" + people.size() + "] must be an object");
            }
            people.add(readPerson(p, source, people.size()));
        }
        return people;
    }

    private static OpenPosePerson readPerson(JsonParser p, String source, int personIndex) throws IOException {
        int personId = Person.UNTRACKED;
        float[][] parts = new float[8][];
        String where = "people[" + personIndex + "]";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "person_id":
                    personId = readPersonId(p, t, source, where);
                    break;
                default:
                    // 0.1 (OpenPose 1.0 release candidates) called the body keypoints body_parts;
                    // 0.1-1.1 wrote the 2D parts without the _2d suffix.
                    int part = "body_parts".equals(field) ? 0 : OpenPosePerson.FIELDS.indexOf(field);
                    if (part < 0) {
                        part = OpenPosePerson.FIELDS.indexOf(field + "_2d");
                    }
                    if (part < 0) {
                        p.skipChildren();
                    } else {
                        if (parts[part] != null) {
                            throw error(source, p, where + "." + field + " appears twice (under this or an older name)");
                        }
                        parts[part] = readFloats(p, t, source, where, field, part < 4 ? 3 : 4);
                    }
                    break;
            }
        }
        return new OpenPosePerson(personId, parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]);
    }

    private static int readPersonId(JsonParser p, JsonToken t, String source, String where) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getIntValue();
        }
        if (t != JsonToken.START_ARRAY) {
            throw error(source, p, where + ".person_id must be an array of integers");
        }
        int id = Person.UNTRACKED;
        int n = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw error(source, p, where + ".person_id[" + n + "] must be an integer");
            }
            if (n++ == 0) {
                id = p.getIntValue();
            }
        }
        return id;
    }

    private static float[] readFloats(JsonParser p, JsonToken t, String source, String where, String field, int group)
            throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw error(source, p, where + "." + field + " must be an array of numbers");
        }
        float[] values = new float[96];
        int n = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_NUMBER_INT) {
                throw error(source, p, where + "." + field + "[" + n + "] must be a number, found " + t);
            }
            double v = p.getDoubleValue();
            if (!Double.isFinite(v)) {
                throw error(source, p, where + "." + field + "[" + n + "] is " + p.getText()
                        + " (keypoint " + (n / group) + ", value " + (n % group) + "): only finite numbers are allowed");
            }
            if (n == values.length) {
                values = java.util.Arrays.copyOf(values, n * 2);
            }
            values[n++] = (float) v;
        }
        if (n % group != 0) {
            throw error(source, p, where + "." + field + " has " + n + " values, not a multiple of " + group);
        }
        return java.util.Arrays.copyOf(values, n);
    }

    private static OpenPoseFormatException error(String source, JsonParser p, String detail) {
        var loc = p.currentLocation();
        return new OpenPoseFormatException(source, detail + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")", null);
    }
}
