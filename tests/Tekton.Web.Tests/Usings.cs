global using Microsoft.Extensions.DependencyInjection;
global using Tekton.Web.Tests.Support;
