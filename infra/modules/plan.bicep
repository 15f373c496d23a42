// The hosting plan: Linux Flex Consumption by default, Elastic Premium where Flex is not offered (e.g. Azure China).
param name string
param location string
param tags object

@allowed([
  'FlexConsumption'
  'ElasticPremium'
])
param planKind string = 'FlexConsumption'

@description('Elastic Premium size (EP1, EP2, EP3); ignored on Flex Consumption.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param premiumSku string = 'EP1'

@description('Most instances the Elastic Premium plan scales out to; ignored on Flex Consumption.')
@minValue(1)
@maxValue(100)
param maximumElasticWorkerCount int = 10

var flex = planKind == 'FlexConsumption'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: flex ? 'functionapp' : 'elastic'
  sku: flex
    ? {
        name: 'FC1'
        tier: 'FlexConsumption'
      }
    : {
        name: premiumSku
        tier: 'ElasticPremium'
      }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: flex ? null : maximumElasticWorkerCount
  }
}

output id string = plan.id
