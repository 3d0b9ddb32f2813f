using System.CommandLine;
using System.CommandLine.Parsing;

namespace FleckChat.Hosting;

/// <summary>
/// Builds an option whose value comes from its flag, else from its environment variable, else from
/// its default, and is checked the same way whichever way it came. A bad value is one error naming
/// the flag (or the variable) and what is wrong.
/// </summary>
internal static class OptionBuilder
{
    /// <param name="parse">Turns text into a value, or returns an error text saying what is wrong.</param>
    public static Option<T> Create<T>(string name, string environmentVariable, T defaultValue, string description,
        Func<string, (T? Value, string? Error)> parse, Func<string, string?> getEnvironment, string? helpName = null)
    {
        var option = new Option<T>(name)
        {
            Description = $"{description} [env: {environmentVariable}]",
            HelpName = helpName ?? name.TrimStart('-').Split('-')[^1],
            Arity = ArgumentArity.ExactlyOne,
        };
        option.CustomParser = result => Parse(result, result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", name, parse);
        option.DefaultValueFactory = result =>
        {
            string? fromEnvironment = getEnvironment(environmentVariable);
            return string.IsNullOrEmpty(fromEnvironment)
                ? defaultValue
                : Parse(result, fromEnvironment, environmentVariable, parse);
        };
        return option;
    }

    /// <summary>The same for a positional argument (an empty value stands for "not given").</summary>
    public static Argument<T> CreateArgument<T>(string name, string environmentVariable, T defaultValue, string description,
        Func<string, (T? Value, string? Error)> parse, Func<string, string?> getEnvironment)
    {
        var argument = new Argument<T>(name)
        {
            Description = $"{description} [env: {environmentVariable}]",
            Arity = ArgumentArity.ZeroOrOne,
        };
        argument.CustomParser = result => Parse(result, result.Tokens.Count > 0 ? result.Tokens[^1].Value : "", name, parse);
        argument.DefaultValueFactory = result =>
        {
            string? fromEnvironment = getEnvironment(environmentVariable);
            return string.IsNullOrEmpty(fromEnvironment)
                ? defaultValue
                : Parse(result, fromEnvironment, environmentVariable, parse);
        };
        return argument;
    }

    /// <summary>
    /// A repeatable option (<c>--allowed-origin A --allowed-origin B</c>); its environment variable
    /// holds the values separated by commas or spaces.
    /// </summary>
    public static Option<string[]> CreateList(string name, string environmentVariable, string description,
        Func<string, string?> validate, Func<string, string?> getEnvironment)
    {
        var option = new Option<string[]>(name)
        {
            Description = $"{description} [env: {environmentVariable}, comma-separated]",
            HelpName = name.TrimStart('-').Split('-')[^1],
            Arity = ArgumentArity.ZeroOrMore,
        };
        option.CustomParser = result => ParseList(result, result.Tokens.Select(t => t.Value), name, validate);
        option.DefaultValueFactory = result => ParseList(result,
            (getEnvironment(environmentVariable) ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries), environmentVariable, validate);
        return option;
    }

    private static string[] ParseList(ArgumentResult result, IEnumerable<string> values, string source, Func<string, string?> validate)
    {
        var list = values.ToArray();
        foreach (var value in list)
        {
            if (validate(value) is { } error)
            {
                result.AddError($"{source}: {error}");
                return [];
            }
        }

        return list;
    }

    private static T Parse<T>(ArgumentResult result, string text, string source, Func<string, (T? Value, string? Error)> parse)
    {
        var (value, error) = parse(text);
        if (error is not null)
        {
            result.AddError($"{source}: {error}");
            return default!;
        }

        return value!;
    }
}
