package dev.juggler.samples.console;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The console API's JSON mapping: records as objects, instants as ISO-8601 text, durations as seconds, an
 * empty {@code Optional} as {@code null}. Serialisers of our own instead of the jdk8/jsr310 modules, since
 * the API only writes these types and never reads them. Thread-safe once built (Jackson's mapper is).
 */
final class ApiJson {

    private static final ObjectMapper MAPPER = create();

    private ApiJson() {
    }

    /** The shared mapper; configured once and never changed afterwards, so sharing it is safe. */
    static ObjectMapper mapper() {
        return MAPPER;
    }

    /** {@code value} as compact JSON text. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** {@code value} as UTF-8 JSON bytes. */
    static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static ObjectMapper create() {
        SimpleModule module = new SimpleModule("juggler-console");
        module.addSerializer(Instant.class, new ToStringSerializer<>(Instant.class));
        module.addSerializer(Pattern.class, new ToStringSerializer<>(Pattern.class));
        module.addSerializer(Duration.class, new StdSerializer<>(Duration.class) {
            @Override
            public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeNumber(value.toMillis() / 1000.0);
            }
        });
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Optional<?>> optional = (Class) Optional.class;
        module.addSerializer(optional, new StdSerializer<>(optional) {
            @Override
            public void serialize(Optional<?> value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                provider.defaultSerializeValue(value.orElse(null), gen);
            }

            @Override
            public boolean isEmpty(SerializerProvider provider, Optional<?> value) {
                return value == null || value.isEmpty();
            }
        });
        module.addSerializer(OptionalLong.class, new StdSerializer<>(OptionalLong.class) {
            @Override
            public void serialize(OptionalLong value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                if (value.isPresent()) {
                    gen.writeNumber(value.getAsLong());
                } else {
                    gen.writeNull();
                }
            }
        });
        module.addSerializer(OptionalInt.class, new StdSerializer<>(OptionalInt.class) {
            @Override
            public void serialize(OptionalInt value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                if (value.isPresent()) {
                    gen.writeNumber(value.getAsInt());
                } else {
                    gen.writeNull();
                }
            }
        });
        module.addSerializer(OptionalDouble.class, new StdSerializer<>(OptionalDouble.class) {
            @Override
            public void serialize(OptionalDouble value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                if (value.isPresent()) {
                    gen.writeNumber(value.getAsDouble());
                } else {
                    gen.writeNull();
                }
            }
        });
        ObjectMapper mapper = new ObjectMapper();
        mapper.registerModule(module);
        mapper.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return mapper;
    }

    /** Writes a value as its {@code toString()}. */
    private static final class ToStringSerializer<T> extends StdSerializer<T> {
        ToStringSerializer(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }
}
