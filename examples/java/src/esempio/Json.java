package esempio;

import java.util.List;
import java.util.Map;

/** Quanto basta di JSON per stampare l'esito su una riga (solo JDK: niente librerie oltre Santuario). */
final class Json {
    private Json() {}

    static String scrivi(Object v) {
        StringBuilder sb = new StringBuilder();
        scrivi(sb, v);
        return sb.toString();
    }

    private static void scrivi(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean || v instanceof Number) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean primo = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!primo) sb.append(',');
                primo = false;
                stringa(sb, String.valueOf(e.getKey()));
                sb.append(':');
                scrivi(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) sb.append(',');
                scrivi(sb, l.get(i));
            }
            sb.append(']');
        } else {
            stringa(sb, v.toString());
        }
    }

    private static void stringa(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
